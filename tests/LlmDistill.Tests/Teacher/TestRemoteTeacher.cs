using LlmDistill.Generation;
using LlmDistill.Tests.Generation;
using LlmDistill.Options;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Teacher;

/// <summary>generate with --teacher-url against `serve` started on loopback over the same GGUF as a local run.</summary>
[Collection(TinyTeacherCollection.Name)]
public sealed class TestRemoteTeacher(TinyTeacherFixture teachers)
{
    static readonly EngineOptions Engine = new() { Parallel = 4, ContextPerSequence = 1024, Threads = 1 };

    GenerateSettings Settings(string folder) => new()
    {
        TeacherPath = teachers.Qwen2Path, DataPath = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
        Prompt = new() { Template = RepositoryFiles.Path("prompts/cot-math.yaml") }, OutputFolder = folder,
        Samples = 1, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = Engine, Limit = 6, RowsPerPart = 4,
    };

    [Fact]
    public async Task A_served_teacher_writes_the_same_greedy_traces_as_the_local_one()
    {
        await using var server = await OpenAiServer.StartAsync(new ServeSettings { ModelPath = teachers.Qwen2Path, Port = 0, Engine = Engine },
            new ServedModel(teachers.Qwen2, Engine, name: "tiny-teacher"));
        using var local = new TempDirectory();
        using var remote = new TempDirectory();
        GenerateRun.Run(Settings(local.Path));
        var summary = GenerateRun.Run(Settings(remote.Path) with { Remote = new() { Urls = [server.BaseUrl.ToString()] } });
        Assert.Equal(6, summary.Samples);

        AssertSameTraces(local.Path, remote.Path);
        var provenance = TraceReader.ReadProvenance(Directory.GetFiles(remote.Path, "part-*.parquet").First());
        Assert.Contains("tiny-teacher at " + server.BaseUrl, provenance.TeacherFileName);
        server.Model.Dispose();
    }

    /// <summary>
    /// llama.cpp's own llama-server (LLMDISTILL_LLAMA_SERVER names the binary) on loopback over the same GGUF: the
    /// completions are the local teacher's token for token, and top-5 logprobs agree within a storage step.
    /// </summary>
    [LlamaServerFact]
    public void A_llama_server_teacher_writes_the_same_greedy_traces_as_the_local_one()
    {
        using var server = new LlamaServerProcess(LlamaServerProcess.Binary!, teachers.Qwen2Path, Engine.Parallel, Engine.ContextPerSequence, threads: 1, ["--alias", "tiny-teacher"]);
        using var local = new TempDirectory();
        using var remote = new TempDirectory();
        GenerateRun.Run(Settings(local.Path));
        string url = new Uri(server.BaseUrl, "/v1").ToString();
        var summary = GenerateRun.Run(Settings(remote.Path) with { Remote = new() { Urls = [url], Retries = 1 } });
        Assert.Equal(6, summary.Samples);
        // llama-server gives no logprobs for a token whose text ends inside a UTF-8 character; such a completion is
        // refused with that reason, and only where the local completion really has such a token.
        var refused = TraceReader.Read(remote.Path).Where(r => r.FinishReason == FinishReason.Error).Select(r => r.Key).ToHashSet();
        foreach (var row in TraceReader.Read(local.Path).Where(r => refused.Contains(r.Key)))
            Assert.True(EndsInsideACharacter(row.CompletionTokenIds), $"{row.Key} was refused, but no token of its local completion ends inside a UTF-8 character");
        Assert.All(TraceReader.Read(remote.Path).Where(r => refused.Contains(r.Key)), r => Assert.Contains("inside a UTF-8 character", r.Error));
        Assert.True(refused.Count <= 3, $"{refused.Count} of 6 completions refused: too few left to compare");
        AssertSameTraces(local.Path, remote.Path, refused);
        var provenance = TraceReader.ReadProvenance(Directory.GetFiles(remote.Path, "part-*.parquet").First());
        Assert.Contains("tiny-teacher at " + url, provenance.TeacherFileName);
    }

    /// <summary>Same keys, prompt and completion ids and text; top-5 per position within a storage step.</summary>
    static void AssertSameTraces(string localFolder, string remoteFolder, IReadOnlySet<string>? refused = null)
    {
        var expected = TraceReader.Read(localFolder).Where(r => refused?.Contains(r.Key) != true).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        var actual = TraceReader.Read(remoteFolder).Where(r => refused?.Contains(r.Key) != true).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected.Select(r => r.Key), actual.Select(r => r.Key));
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].PromptTokenIds, actual[i].PromptTokenIds);
            Assert.Equal(expected[i].CompletionTokenIds, actual[i].CompletionTokenIds);
            Assert.Equal(expected[i].CompletionText, actual[i].CompletionText);
            // Top-5 per position: the same alternatives with the same logprobs within a storage step, except that a near
            // tie at the edge of the list may fall either way (the two runs batch the same tokens differently).
            for (int t = 0; t < expected[i].CompletionTokenIds.Length; t++)
            {
                var a = Enumerable.Range(t * 5, 5).ToDictionary(j => expected[i].TopIds[j], j => expected[i].TopLogprobs[j]);
                var b = Enumerable.Range(t * 5, 5).ToDictionary(j => actual[i].TopIds[j], j => actual[i].TopLogprobs[j]);
                float edge = Math.Min(a.Values.Min(), b.Values.Min());
                foreach (var (id, logprob) in a)
                    if (b.TryGetValue(id, out float other)) Assert.Equal(logprob, other, 0.03f);
                    else Assert.True(logprob - edge < 0.03f, $"alternative {id} ({logprob}) is missing from the remote top-5 at token {t}");
                foreach (var (id, logprob) in b)
                    if (!a.ContainsKey(id)) Assert.True(logprob - edge < 0.03f, $"alternative {id} ({logprob}) is extra in the remote top-5 at token {t}");
            }
        }
    }

    /// <summary>Whether the text of some prefix of these tokens ends with an unfinished UTF-8 character.</summary>
    bool EndsInsideACharacter(IReadOnlyList<int> ids)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            bytes.AddRange(teachers.Qwen2.Vocab.TokenToPiece(id, special: false));
            // The last lead byte within 3 bytes of the end, and whether the bytes after it are fewer than it announces.
            for (int back = 1; back <= Math.Min(4, bytes.Count); back++)
            {
                byte b = bytes[^back];
                if ((b & 0xC0) == 0x80) continue;
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                if (back < length) return true;
                break;
            }
        }
        return false;
    }

    [Fact]
    public void An_unreachable_server_is_one_sentence_naming_it()
    {
        using var folder = new TempDirectory();
        var e = Assert.Throws<InvalidOperationException>(() => GenerateRun.Run(Settings(folder.Path) with
        {
            Remote = new() { Urls = ["http://127.0.0.1:9/v1"], Retries = 1 },
        }));
        Assert.Contains("http://127.0.0.1:9/v1", e.Message);
        Assert.Contains("cannot be reached", e.Message);
    }

    [Fact]
    public void More_alternatives_than_the_api_returns_are_refused()
    {
        using var folder = new TempDirectory();
        var e = Assert.Throws<ArgumentException>(() => GenerateRun.Run(Settings(folder.Path) with
        {
            Capture = new() { TopK = 32 }, Remote = new() { Urls = ["http://127.0.0.1:9/v1"], Model = "x" },
        }));
        Assert.Contains("at most 20", e.Message);
    }
}

/// <summary>A fact that runs only when LLMDISTILL_LLAMA_SERVER names a llama-server binary (xunit 2 decides skipping at discovery).</summary>
public sealed class LlamaServerFactAttribute : FactAttribute
{
    public LlamaServerFactAttribute()
    {
        if (LlamaServerProcess.Binary is null) Skip = $"skipped: set {LlamaServerProcess.Variable} to a llama-server binary built from llama.cpp's sources";
    }
}
