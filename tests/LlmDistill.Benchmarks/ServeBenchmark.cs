using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LlmDistill.Generation;
using LlmDistill.Serving;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Benchmarks;

/// <summary>
/// `serve` under load, side by side with llama.cpp's own llama-server on the same GGUF and machine: C concurrent streaming
/// clients, each sending R requests one after another (~64 prompt tokens, 64 generated at temperature 0), against `serve`
/// started in-process and, with --llama-server PATH (or LLMDISTILL_LLAMA_SERVER), llama-server started with the same
/// slot count and KV cells per slot (-np P -c P×ctx --cont-batching, the same threads); --url adds any other
/// OpenAI-compatible server. The servers take turns (the order rotates each repeat), so a busy machine hits both alike.
/// Reports requests/s, generated tokens/s (min / median / max over repeats), time to first token and time per token after
/// it (p50 / p99 over all requests of the median run), and the bars' ratios. Then remote-teacher `generate` against
/// `serve` vs local `generate` on the same questions, alternating.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --serve [--clients 16,64] [--requests 1] [--repeats 3]
///        [--llama-server /path/to/llama-server] [--url http://127.0.0.1:8080] [--parallel 16] [--ctx 512] [--threads 2] [--no-generate]
///        [--no-prompt-cache]
/// (--clients "" runs only the generate comparison; --no-prompt-cache serves with ServeSettings.PromptCache off, for A/B.)
/// </summary>
static class ServeBenchmark
{
    sealed record Target(string Name, HttpClient Http);

    sealed record Result(double Ttft, double PerToken, int Tokens);

    sealed record LoadRun(int Requests, int Tokens, double Wall, double[] Ttft, double[] PerToken)
    {
        public double TokensPerSecond => Tokens / Wall;
    }

    public static int Run(string[] args)
    {
        int[] clientCounts = (Program.StringArg(args, "--clients") ?? "16,64").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
        int perClient = Program.IntArg(args, "--requests", 1), generate = Program.IntArg(args, "--generate", 64), repeats = Program.IntArg(args, "--repeats", 3);
        int parallel = Program.IntArg(args, "--parallel", 16), ctx = Program.IntArg(args, "--ctx", 512);
        int threads = Program.IntArg(args, "--threads", Environment.ProcessorCount);
        string model = Program.StringArg(args, "--model") ?? BenchmarkModel.EnsureQwen05BShape();
        string? llamaServer = Program.StringArg(args, "--llama-server") ?? LlamaServerProcess.Binary;
        var engine = new Teacher.EngineOptions { Parallel = parallel, ContextPerSequence = ctx, Threads = threads };
        var server = OpenAiServer.StartAsync(new ServeSettings
        {
            ModelPath = model, Port = 0, QueueLimit = 1024, ModelName = "bench", Engine = engine, PromptCache = !args.Contains("--no-prompt-cache"),
        }).GetAwaiter().GetResult();
        LlamaServerProcess? llama = null;
        var targets = new List<Target> { new("serve", Client(server.Address)) };
        try
        {
            if (llamaServer is not null && clientCounts.Length > 0)
            {
                llama = new LlamaServerProcess(llamaServer, model, parallel, ctx, threads);
                targets.Add(new("llama-server", Client(llama.BaseUrl)));
            }
            if (Program.StringArg(args, "--url") is { } url) targets.Add(new(url, Client(new Uri(url))));
            Console.WriteLine($"model {Path.GetFileName(model)}, {Environment.ProcessorCount} cores, {parallel} slots × {ctx} KV cells, {threads} threads, " +
                              $"{generate} generated tokens per request, {perClient} request(s) per client, {repeats} repeats, servers in turn, " +
                              $"serve's prompt cache {(server.Model.PromptCache ? "on" : "off")}" +
                              (llama is null ? "" : $"; llama-server {llamaServer} -np {parallel} -c {parallel * ctx} --cont-batching -t {threads} -tb {threads}"));
            int runId = 0;
            if (clientCounts.Length > 0) foreach (var t in targets) Load(t.Http, 1, 1, generate, runId++); // warm-up
            Console.WriteLine("| server | clients | requests/s | generated tokens/s (min / median / max) | TTFT p50 / p99 s | per token p50 / p99 ms |");
            Console.WriteLine("|---|---:|---:|---|---|---|");
            foreach (int clients in clientCounts)
            {
                var runs = targets.ToDictionary(t => t.Name, _ => new List<LoadRun>());
                for (int r = 0; r < repeats; r++)
                    for (int k = 0; k < targets.Count; k++)
                    {
                        var t = targets[(k + r) % targets.Count];
                        var run = Load(t.Http, clients, perClient, generate, runId++);
                        runs[t.Name].Add(run);
                        // Each run as it ends, so that a long session shows its progress (and its spread).
                        Console.Error.WriteLine($"  {t.Name}, {clients} clients, repeat {r + 1}: {run.TokensPerSecond:F1} tokens/s, TTFT p99 {P(run.Ttft, 0.99):F2} s, wall {run.Wall:F1} s");
                    }
                foreach (var (name, list) in runs)
                {
                    var sorted = list.OrderBy(x => x.TokensPerSecond).ToArray();
                    var median = sorted[sorted.Length / 2];
                    Console.WriteLine($"| {name} | {clients} | {median.Requests / median.Wall:F2} | {sorted[0].TokensPerSecond:F1} / {median.TokensPerSecond:F1} / {sorted[^1].TokensPerSecond:F1} | " +
                                      $"{P(median.Ttft, 0.5):F2} / {P(median.Ttft, 0.99):F2} | {1000 * P(median.PerToken, 0.5):F0} / {1000 * P(median.PerToken, 0.99):F0} |");
                }
                if (runs.TryGetValue("llama-server", out var theirs))
                {
                    // Ratios of medians over repeats (tokens/s: higher is better; TTFT p99: lower is better).
                    double Median(IEnumerable<double> xs) { var a = xs.Order().ToArray(); return a[a.Length / 2]; }
                    double tokens = Median(runs["serve"].Select(x => x.TokensPerSecond)) / Median(theirs.Select(x => x.TokensPerSecond));
                    double ttft = Median(runs["serve"].Select(x => P(x.Ttft, 0.99))) / Median(theirs.Select(x => P(x.Ttft, 0.99)));
                    Console.WriteLine($"| serve / llama-server | {clients} | | {tokens:F2}× tokens/s | {ttft:F2}× TTFT p99 | |");
                }
            }
            if (!args.Contains("--no-generate")) RemoteGenerate(model, server, engine, repeats);
        }
        finally
        {
            llama?.Dispose();
            foreach (var t in targets) t.Http.Dispose();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
        return 0;
    }

    static HttpClient Client(Uri address) => new() { BaseAddress = address, Timeout = TimeSpan.FromMinutes(30) };

    /// <summary>
    /// The generate stage's questions (GenerateBenchmark's shared few-shot prefix, 64 generated tokens, top-20), run locally
    /// and with `serve` as a remote teacher, alternating; wall time of the whole command each.
    /// </summary>
    static void RemoteGenerate(string model, OpenAiServer server, Teacher.EngineOptions engine, int repeats)
    {
        string work = Directory.CreateTempSubdirectory("llmdistill-serve-bench-").FullName;
        try
        {
            string prompt = GenerateBenchmark.WritePrompt(work, raw: false);
            string data = GenerateBenchmark.WriteQuestions(work, 16, shortQuestions: false);
            // A fresh folder per run: generate resumes a finished folder (0 tokens) even with Force.
            GenerateSettings Settings(string name) => new()
            {
                TeacherPath = model, DataPath = data, OutputFolder = Path.Combine(work, name), Prompt = new() { Template = prompt },
                Capture = new() { TopK = 20 }, Sampling = new() { MaxTokens = 64 }, Engine = engine, Force = true,
            };
            var walls = new Dictionary<string, List<double>> { ["local"] = [], ["remote"] = [] };
            long decodedBefore = server.Model.Stats?.PromptTokens ?? 0, cachedBefore = server.Model.Stats?.CachedPromptTokens ?? 0;
            for (int r = 0; r < repeats; r++)
                foreach (string kind in r % 2 == 0 ? ["local", "remote"] : (string[])["remote", "local"])
                {
                    var settings = Settings($"{kind}-{r}");
                    if (kind == "remote") settings = settings with { Remote = new() { Urls = [server.BaseUrl.ToString()] } };
                    var summary = GenerateRun.Run(settings);
                    if (summary.GeneratedTokens != 16 * 64) Console.WriteLine($"  ({kind} generated {summary.GeneratedTokens} tokens, not {16 * 64})");
                    walls[kind].Add(summary.Wall.TotalSeconds);
                    Console.Error.WriteLine($"  generate {kind}, repeat {r + 1}: {summary.Wall.TotalSeconds:F2} s");
                }
            Console.WriteLine();
            Console.WriteLine("remote-teacher generate against serve vs local generate: 16 questions, shared few-shot prefix, 64 generated tokens, top-20");
            Console.WriteLine("| teacher | command wall s (min / median / max) |");
            Console.WriteLine("|---|---|");
            foreach (var (kind, list) in walls)
            {
                list.Sort();
                Console.WriteLine($"| {kind} | {list[0]:F2} / {list[list.Count / 2]:F2} / {list[^1]:F2} |");
            }
            Console.WriteLine($"| remote / local | {walls["remote"][walls["remote"].Count / 2] / walls["local"][walls["local"].Count / 2]:F2}× median wall |");
            Console.WriteLine($"serve over the {repeats} remote runs: {(server.Model.Stats?.PromptTokens ?? 0) - decodedBefore} prompt tokens decoded, " +
                              $"{(server.Model.Stats?.CachedPromptTokens ?? 0) - cachedBefore} taken from its prompt cache ({(server.Model.PromptCache ? "on" : "off")})");
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    static double P(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    static LoadRun Load(HttpClient http, int clients, int perClient, int generate, int runId)
    {
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            var mine = new List<Result>();
            // The run id at the front makes every prompt new to the server, so no server reuses a cached prompt.
            for (int r = 0; r < perClient; r++)
                mine.Add(await Stream(http, $"Run {runId} request {c}-{r}: " + string.Concat(Enumerable.Repeat("tell me a long story about apples and pears. ", 6)), generate));
            return mine;
        })).ToArray();
        var all = tasks.SelectMany(t => t.GetAwaiter().GetResult()).ToList();
        double wall = clock.Elapsed.TotalSeconds;
        int expected = clients * perClient * generate, tokens = all.Sum(r => r.Tokens);
        if (tokens != expected) Console.WriteLine($"  (run {runId}: {tokens} tokens generated, not {expected})");
        return new LoadRun(all.Count, tokens, wall, all.Select(r => r.Ttft).Order().ToArray(), all.Select(r => r.PerToken).Order().ToArray());
    }

    static async Task<Result> Stream(HttpClient http, string prompt, int generate)
    {
        // ignore_eos (llama-server) keeps random-weight models from stopping early; our server ignores unknown fields and
        // the benchmark model has no end token it would pick at temperature 0 within 64 tokens in practice.
        string body = "{\"prompt\":" + JsonSerializer.Serialize(prompt) + ",\"temperature\":0,\"max_tokens\":" + generate + ",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"ignore_eos\":true}";
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions") { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        // A connection of its own per request (a loopback connect costs well under a millisecond): llama-server closes
        // idle keep-alive connections after 5 s, and a POST sent on one it is closing ends as "response ended prematurely"
        // (seen while the other server had its turn).
        request.Headers.ConnectionClose = true;
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        double first = -1;
        int chunks = 0, tokens = -1;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            if (line == "data: [DONE]") break;
            if (first < 0) first = clock.Elapsed.TotalSeconds;
            chunks++;
            if (line.Contains("\"completion_tokens\"", StringComparison.Ordinal))
                tokens = JsonDocument.Parse(line[6..]).RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32();
        }
        double total = clock.Elapsed.TotalSeconds;
        if (tokens < 0) tokens = chunks; // a server that reports no usage: one chunk per token
        return new Result(first, tokens > 1 ? (total - first) / (tokens - 1) : 0, tokens);
    }
}
