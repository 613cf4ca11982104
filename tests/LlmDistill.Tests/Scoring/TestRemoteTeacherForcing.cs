using System.Net;
using System.Net.Sockets;
using LlmDistill.Cli;
using LlmDistill.Options;
using LlmDistill.Scoring;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Scoring;

/// <summary>score with --teacher-url against `serve` started on loopback over the same GGUF as a local score run.</summary>
[Collection(TinyTeacherCollection.Name)]
public sealed class TestRemoteTeacherForcing(TinyTeacherFixture teachers)
{
    static readonly EngineOptions Engine = new() { Parallel = 3, ContextPerSequence = 1024, Threads = 1 };

    ScoreSettings Settings(string traces, string output) => new()
    {
        TeacherPath = teachers.Qwen2Path, TracesPath = traces, OutputFolder = output, Capture = new() { TopK = 5 }, Engine = Engine,
    };

    /// <summary>Runs <paramref name="test"/> with `serve` over the tiny Qwen2 teacher on a free loopback port, then stops it.</summary>
    async Task WithServer(Action<OpenAiServer> test)
    {
        var server = await OpenAiServer.StartAsync(new ServeSettings { ModelPath = teachers.Qwen2Path, Port = 0, Engine = Engine },
            new ServedModel(teachers.Qwen2, Engine, name: "tiny-teacher"));
        try
        {
            test(server);
        }
        finally
        {
            await server.DisposeAsync();
            server.Model.Dispose();
        }
    }

    static Dictionary<string, TraceRecord> ByKey(string folder) => TraceReader.Read(folder).ToDictionary(r => r.Key);

    /// <summary>
    /// Same rows and completion ids; every stored log-probability and tail mass on the same 1/64-nat code or the next
    /// (the server reads each row alone, the local run packs three, so llama.cpp sums in another order); the same
    /// alternative ids rank by rank, except two near-tied ones (within a step) that may trade places.
    /// </summary>
    static void AssertSameScores(string localFolder, string remoteFolder)
    {
        const double OneStep = TopKEncoding.Step + 1e-6;
        var local = ByKey(localFolder);
        var remote = ByKey(remoteFolder);
        Assert.Equal(local.Keys.Order(StringComparer.Ordinal), remote.Keys.Order(StringComparer.Ordinal));
        foreach (var (key, l) in local)
        {
            var r = remote[key];
            Assert.Equal(l.CompletionTokenIds, r.CompletionTokenIds);
            Assert.Equal(l.TopK, r.TopK);
            for (int i = 0; i < l.TopIds.Length; i++)
            {
                Assert.InRange(r.TopLogprobs[i] - l.TopLogprobs[i], -OneStep, OneStep);
                if (r.TopIds[i] != l.TopIds[i])
                {
                    int other = Array.IndexOf(l.TopIds, r.TopIds[i], i / l.TopK * l.TopK, l.TopK);
                    Assert.True(other >= 0 && Math.Abs(l.TopLogprobs[other] - l.TopLogprobs[i]) <= OneStep, $"{key}: alternative {i} is {r.TopIds[i]} remotely, {l.TopIds[i]} locally");
                }
            }
            for (int t = 0; t < l.SampledLogprobs.Length; t++)
            {
                Assert.InRange(r.SampledLogprobs[t] - l.SampledLogprobs[t], -OneStep, OneStep);
                Assert.InRange(Math.Log(r.TailMass[t]) - Math.Log(l.TailMass[t]), -OneStep, OneStep);
            }
        }
    }

    [Fact]
    public async Task A_served_teacher_scores_traces_as_the_local_one_does_and_a_second_run_resumes()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), local = folder.File("local"), remote = folder.File("remote");
        await WithServer(server =>
        {
            ScoreRun.Run(Settings(traces, local));
            var settings = Settings(traces, remote) with { Remote = new() { Urls = [server.BaseUrl.ToString()], Concurrency = 2 } };
            var summary = ScoreRun.Run(settings);

            Assert.Equal((6L, 0L, 6L * 12), (summary.Rows, summary.SkippedRows, summary.ScoredTokens));
            Assert.Equal(TraceReader.Read(traces).Sum(r => r.PromptTokenIds.Length + r.CompletionTokenCount - 1), summary.DecodedTokens);
            AssertSameScores(local, remote);
            var provenance = TraceReader.ReadProvenance(TracePartFiles.List(remote)[0]);
            Assert.Equal($"tiny-teacher at {server.BaseUrl} (tokenizer tiny-qwen2.gguf)", provenance.TeacherFileName);
            Assert.Equal(5, provenance.CaptureTopK);
            Assert.Equal(6, RowNll.Read(summary.NllPath).Count);

            var again = ScoreRun.Run(settings);
            Assert.Equal((0L, 6L), (again.Rows, again.ResumedRows));
        });
    }

    [Fact]
    public async Task At_the_traces_own_top_k_ids_a_served_teacher_gives_what_the_local_one_gives()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), local = folder.File("local"), remote = folder.File("remote");
        await WithServer(server =>
        {
            ScoreRun.Run(Settings(traces, local) with { AtTraceTopK = true });
            ScoreRun.Run(Settings(traces, remote) with { AtTraceTopK = true, Remote = new() { Urls = [server.BaseUrl.ToString()] } });

            AssertSameScores(local, remote);
            // Read at exactly the traces' ids, whatever the teacher's own top-5.
            var given = ByKey(traces);
            foreach (var row in TraceReader.Read(remote))
                for (int t = 0; t < row.CompletionTokenCount; t++)
                    Assert.Equal(given[row.Key].TopIds[(t * 5)..(t * 5 + 5)].Order(), row.TopIds[(t * 5)..(t * 5 + 5)].Order());
        });
    }

    [Fact]
    public async Task A_row_the_server_refuses_is_skipped_with_its_reason_and_the_rest_are_scored()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), mixed = folder.File("mixed"), scored = folder.File("scored");
        var rows = TraceReader.Read(traces).Take(3).ToArray();
        using (var writer = new TraceWriter(mixed, TraceReader.ReadProvenance(TracePartFiles.List(traces)[0])))
        {
            writer.Write(rows[0]);
            writer.Write(rows[1] with { CompletionTokenIds = [.. rows[1].CompletionTokenIds[..^1], 10_000_000] });
            writer.Write(rows[2]);
        }
        await WithServer(server =>
        {
            var summary = ScoreRun.Run(Settings(mixed, scored) with { Remote = new() { Urls = [server.BaseUrl.ToString()] } });

            Assert.Equal((2L, 1L), (summary.Rows, summary.SkippedRows));
            Assert.Equal($"{rows[1].Key}: the remote teacher at {server.BaseUrl} refused the row: token id 10000000 is outside the teacher's vocabulary of {teachers.Qwen2.VocabSize}",
                summary.FirstSkipReason);
            Assert.Equal(new[] { rows[0].Key, rows[2].Key }.Order(StringComparer.Ordinal), ByKey(scored).Keys.Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Answers_429_and_500_are_retried_until_the_server_scores_the_row()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), scored = folder.File("scored");
        await WithServer(server =>
        {
            using var proxy = new FailingProxy(server.Address, failures: [HttpStatusCode.TooManyRequests, HttpStatusCode.InternalServerError, HttpStatusCode.TooManyRequests]);
            ScoreSummary? summary = null;
            var thrown = Record.Exception(() => summary = ScoreRun.Run(Settings(traces, scored) with { Remote = new() { Urls = [proxy.BaseUrl + "v1"], Concurrency = 1, Retries = 4 } }));
            Assert.Empty(proxy.Errors);
            Assert.Null(thrown);

            Assert.Equal((6L, 0L), (summary!.Rows, summary.SkippedRows));
            Assert.Equal(3, proxy.Failed);
            Assert.Equal(6, proxy.Scored);
        });
    }

    [Fact]
    public async Task A_server_that_keeps_failing_ends_the_run_naming_it_and_the_scored_rows_stay()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), scored = folder.File("scored");
        await WithServer(server =>
        {
            // One row in flight: two rows are scored, then the third fails both of its attempts.
            using var proxy = new FailingProxy(server.Address, failures: [HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable], after: 2);
            var remote = new RemoteTeacherOptions { Urls = [proxy.BaseUrl + "v1"], Model = "tiny-teacher", Concurrency = 1, Retries = 2 };
            var e = Assert.Throws<InvalidOperationException>(() => ScoreRun.Run(Settings(traces, scored) with { Remote = remote }));

            Assert.StartsWith($"the remote teacher at {proxy.BaseUrl}v1/score failed 2 times; last: 503", e.Message);
            Assert.Equal(2, TraceReader.Read(scored).Count());
            var resumed = ScoreRun.Run(Settings(traces, scored) with { Remote = remote });
            Assert.Equal((4L, 2L), (resumed.Rows, resumed.ResumedRows));
        });
    }

    [Fact]
    public async Task Score_with_a_teacher_url_on_the_command_line_exits_0_and_more_than_20_alternatives_are_refused()
    {
        using var folder = new TempDirectory();
        string traces = TestScoreRun.GenerateTraces(teachers, folder), scored = folder.File("scored");
        await WithServer(server =>
        {
            var output = new StringWriter();
            var error = new StringWriter();
            int code = LlmDistillCli.Run(["score", "-t", teachers.Qwen2Path, "--teacher-url", server.BaseUrl.ToString(), "--traces", traces, "-o", scored, "--top-k", "4"], output, error);
            Assert.True(code == 0, error.ToString());
            Assert.All(TraceReader.Read(scored), r => Assert.Equal(4, r.TopK));
        });
        var bad = Assert.Throws<OptionsException>(() => OptionsException.ThrowIfInvalid(Settings(traces, folder.File("other")) with
        {
            Capture = new() { TopK = 32 }, Remote = new() { Urls = ["http://127.0.0.1:9/v1"] },
        }));
        Assert.Equal(["Capture.TopK"], bad.Errors.Select(e => e.Property));
        Assert.Contains("at most 20 with a remote teacher", bad.Message);
    }

    /// <summary>
    /// A loopback HTTP proxy in front of `serve`: forwards every request as it is, except that once <c>after</c> /v1/score
    /// requests went through, the next ones get the given statuses (an OpenAI error object; 429s with Retry-After: 0).
    /// </summary>
    sealed class FailingProxy : IDisposable
    {
        readonly HttpListener _listener = new();
        readonly HttpClient _upstream;
        readonly Queue<HttpStatusCode> _failures;
        readonly Task _loop;
        readonly int _after;
        int _failed, _scored;

        /// <summary>after: /v1/score requests forwarded before the failures start.</summary>
        public FailingProxy(Uri upstream, HttpStatusCode[] failures, int after = 0)
        {
            _after = after;
            _upstream = new HttpClient { BaseAddress = upstream };
            _failures = new Queue<HttpStatusCode>(failures);
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUrl = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(BaseUrl);
            _listener.Start();
            _loop = Task.Run(Serve);
        }

        public string BaseUrl { get; }
        /// <summary>What went wrong inside the proxy itself (empty when it worked).</summary>
        public List<string> Errors { get; } = [];
        public int Failed => Volatile.Read(ref _failed);
        /// <summary>/v1/score requests forwarded to the server.</summary>
        public int Scored => Volatile.Read(ref _scored);

        async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                _ = Task.Run(async () =>
                {
                    try { await Answer(context); }
                    catch (Exception e) { lock (Errors) Errors.Add(e.ToString()); }
                });
            }
        }

        async Task Answer(HttpListenerContext context)
        {
            using var response = context.Response;
            string path = context.Request.Url!.AbsolutePath;
            // Read the whole request first, whatever the answer: a body left unread would spoil the connection for the next one.
            string? requestBody = null;
            if (context.Request.HasEntityBody)
                using (var reader = new StreamReader(context.Request.InputStream))
                    requestBody = await reader.ReadToEndAsync();
            HttpStatusCode? failure = null;
            if (path.EndsWith("/score", StringComparison.Ordinal))
                lock (_failures)
                    if (_failures.Count > 0 && Scored >= _after) failure = _failures.Dequeue();
            byte[] body;
            if (failure is { } status)
            {
                Interlocked.Increment(ref _failed);
                response.StatusCode = (int)status;
                if (status == HttpStatusCode.TooManyRequests) response.AddHeader("Retry-After", "0");
                body = System.Text.Encoding.UTF8.GetBytes("""{"error":{"message":"failing on purpose","type":"server_error","param":null,"code":null}}""");
            }
            else
            {
                using var forward = new HttpRequestMessage(new HttpMethod(context.Request.HttpMethod), path);
                if (requestBody is not null) forward.Content = new StringContent(requestBody, System.Text.Encoding.UTF8, "application/json");
                using var answer = await _upstream.SendAsync(forward);
                if (path.EndsWith("/score", StringComparison.Ordinal)) Interlocked.Increment(ref _scored);
                response.StatusCode = (int)answer.StatusCode;
                body = await answer.Content.ReadAsByteArrayAsync();
            }
            // A new connection per request: the client never sends on one the listener is closing.
            response.KeepAlive = false;
            response.ContentType = "application/json";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
            _upstream.Dispose();
        }
    }
}
