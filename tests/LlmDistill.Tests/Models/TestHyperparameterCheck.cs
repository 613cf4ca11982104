using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Models;

/// <summary>
/// Hyperparameters llama.cpp would abort on are refused in managed code, and a campaign sets metadata scalars of valid
/// tiny GGUFs to boundary values and runs each file in a child `llmdistill complete`: none may abort (134 SIGABRT,
/// 136 SIGFPE, 139 SIGSEGV); each ends in a clear error or a completion. The default run takes a sample of keys and
/// values; <see cref="CampaignVariable"/>=full runs every integer and float scalar key with every boundary value.
/// </summary>
public class TestHyperparameterCheck(ITestOutputHelper log)
{
    public const string CampaignVariable = "LLMDISTILL_GGUF_CAMPAIGN";

    static GgufWriter Tiny(ModelArchitecture architecture)
    {
        var vocabulary = SmallByteLevelVocabulary.Create();
        var config = architecture == ModelArchitecture.Qwen2 ? LlamaModelConfig.TinyQwen2(vocabulary.Count) : LlamaModelConfig.TinyLlama(vocabulary.Count);
        return ModelGgufWriter.Create(config, vocabulary, RandomLlamaWeights.Create(seed: 3, std: 0.3f), GgmlType.F32, "tiny");
    }

    static string Write(TempDirectory folder, GgufWriter writer, string key, GgufValue? value, string name)
    {
        var original = writer.Metadata[key];
        if (value is not null) writer.Metadata.Set(key, value);
        string path = folder.File(name);
        writer.Write(path);
        writer.Metadata.Set(key, original);
        return path;
    }

    static void Ensure(string path)
    {
        using var file = GgufFile.Open(path);
        HyperparameterCheck.Ensure(file, file.Metadata.GetString("general.architecture"));
    }

    public static TheoryData<string, object, string> Refused => new()
    {
        { "llama.block_count", 0u, "llama.block_count = 0, but llama.cpp needs 1 to 512 blocks (LLAMA_MAX_LAYERS)" },
        { "llama.block_count", 600u, "llama.block_count = 600" },
        { "llama.block_count", uint.MaxValue, "llama.block_count = 4294967295" },
        { "llama.context_length", 0u, "llama.context_length = 0, but llama.cpp needs a context length > 0" },
        { "llama.embedding_length", 0u, "llama.embedding_length = 0" },
        { "llama.feed_forward_length", 0u, "llama.feed_forward_length = 0" },
        { "llama.attention.head_count", 0u, "llama.attention.head_count = 0" },
        { "llama.attention.head_count", 3u, "llama.attention.head_count = 3, but llama.cpp needs a divisor of embedding_length (64)" },
        { "llama.attention.head_count_kv", 0u, "llama.attention.head_count_kv = 0, but llama.cpp needs a key/value head count > 0" },
        { "llama.attention.head_count_kv", 3u, "llama.attention.head_count_kv = 3, but llama.cpp needs a divisor of attention.head_count (4)" },
        { "llama.rope.freq_base", 0f, "llama.rope.freq_base = 0, but llama.cpp needs a finite number > 0" },
        { "llama.rope.freq_base", float.NaN, "llama.rope.freq_base = NaN" },
        { "llama.rope.freq_base", float.NegativeInfinity, "llama.rope.freq_base = -∞" },
        { "llama.attention.layer_norm_rms_epsilon", float.PositiveInfinity, "llama.attention.layer_norm_rms_epsilon = ∞" },
        // Found by the full campaign: qwen2.cpp's GGML_ASSERT(n_embd_head == n_rot) aborted on 1 and 15.
        { "llama.rope.dimension_count", 8u, "llama.rope.dimension_count = 8, but llama.cpp needs the head size (16): llama rotates whole heads" },
        { "llama.rope.dimension_count", 17u, "llama.rope.dimension_count = 17, but llama.cpp needs 1 to the head size (16) rotary dimensions" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_value_llama_cpp_would_abort_on_is_refused_with_one_sentence_naming_file_key_and_value(string key, object value, string sentence)
    {
        using var folder = new TempDirectory();
        var gguf = value switch { uint u => GgufValue.FromUInt32(u), float f => GgufValue.FromFloat32(f), _ => throw new ArgumentException("type") };
        string path = Write(folder, Tiny(ModelArchitecture.Llama), key, gguf, "bad.gguf");
        var error = Assert.Throws<InvalidDataException>(() => Ensure(path));
        Assert.Contains(sentence, error.Message.Replace("Infinity", "∞"));
        Assert.StartsWith($"GGUF file '{path}': ", error.Message);
    }

    [Fact]
    public void Valid_tiny_llama_and_qwen2_files_and_a_moe_with_its_used_count_pass()
    {
        using var folder = new TempDirectory();
        Ensure(Write(folder, Tiny(ModelArchitecture.Llama), "llama.block_count", null, "llama.gguf"));
        Ensure(Write(folder, Tiny(ModelArchitecture.Qwen2), "qwen2.block_count", null, "qwen2.gguf"));
        var moe = Tiny(ModelArchitecture.Llama);
        moe.Metadata.SetUInt32("llama.expert_count", 8);
        string noUsed = Write(folder, moe, "llama.block_count", null, "moe-no-used.gguf");
        Assert.Contains("has llama.expert_count = 8 but no llama.expert_used_count", Assert.Throws<InvalidDataException>(() => Ensure(noUsed)).Message);
        moe.Metadata.SetUInt32("llama.expert_used_count", 2);
        Ensure(Write(folder, moe, "llama.block_count", null, "moe.gguf"));
        moe.Metadata.SetUInt32("llama.expert_used_count", 9);
        Assert.Contains("llama.expert_used_count = 9, but llama.cpp needs 1 to expert_count (8)", Assert.Throws<InvalidDataException>(() => Ensure(Write(folder, moe, "llama.block_count", null, "moe-bad.gguf"))).Message);
    }

    /// <summary>The default run's sample: the issue's aborts, every rule's edge, and the unchanged file (which must complete).</summary>
    static readonly (ModelArchitecture Architecture, string Key, Func<GgufValue, IEnumerable<GgufValue>> Values)[] Sample =
    [
        (ModelArchitecture.Llama, "llama.block_count", _ => []),
        (ModelArchitecture.Qwen2, "qwen2.block_count", _ => [GgufValue.FromUInt32(0), GgufValue.FromUInt32(600), GgufValue.FromUInt32(uint.MaxValue), GgufValue.FromUInt32(1)]),
        (ModelArchitecture.Llama, "llama.attention.head_count_kv", _ => [GgufValue.FromUInt32(0), GgufValue.FromUInt32(3)]),
        (ModelArchitecture.Llama, "llama.attention.head_count", _ => [GgufValue.FromUInt32(0)]),
        (ModelArchitecture.Qwen2, "qwen2.embedding_length", _ => [GgufValue.FromUInt32(0), GgufValue.FromUInt32(65)]),
        (ModelArchitecture.Llama, "llama.feed_forward_length", _ => [GgufValue.FromUInt32(0)]),
        (ModelArchitecture.Qwen2, "qwen2.rope.freq_base", _ => [GgufValue.FromFloat32(0), GgufValue.FromFloat32(float.NaN)]),
        (ModelArchitecture.Llama, "llama.context_length", _ => [GgufValue.FromUInt32(0)]),
        (ModelArchitecture.Qwen2, "qwen2.rope.dimension_count", _ => [GgufValue.FromUInt32(15)]),
        (ModelArchitecture.Llama, "tokenizer.ggml.eos_token_id", _ => [GgufValue.FromUInt32(uint.MaxValue)]),
    ];

    [Fact]
    public void Boundary_values_of_metadata_scalars_end_in_a_clear_error_or_a_completion_never_an_abort()
    {
        bool full = Environment.GetEnvironmentVariable(CampaignVariable) == "full";
        using var folder = new TempDirectory();
        var failures = new List<string>();
        int runs = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var architecture in new[] { ModelArchitecture.Llama, ModelArchitecture.Qwen2 })
        {
            var writer = Tiny(architecture);
            var cases = full
                ? writer.Metadata.Where(p => !p.Value.IsArray && (p.Value.TryGetInteger(out _) || p.Value.TryGetFloat(out _))).Select(p => (p.Key, Boundaries(p.Value)))
                : Sample.Where(s => s.Architecture == architecture).Select(s => (s.Key, s.Values(writer.Metadata[s.Key])));
            foreach (var (key, values) in cases)
                foreach (var value in values.DefaultIfEmpty())
                {
                    string path = Write(folder, writer, key, value, $"case-{runs++}.gguf");
                    string label = value is null ? $"{architecture} unchanged" : $"{key} = {value}";
                    string? failure = RunChild(path, expectCompletion: value is null);
                    log.WriteLine($"{label}: {failure ?? "ok"}");
                    if (failure is not null) failures.Add($"{label}: {failure}");
                    File.Delete(path);
                }
        }
        log.WriteLine($"{runs} child processes in {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>Null when the child ended in a completion or a one-line error; else what went wrong.</summary>
    static string? RunChild(string model, bool expectCompletion)
    {
        using var child = CliRun.Start("complete", "--model", model, "--prompt", "the cat", "--max-tokens", "2", "--raw");
        var stderr = child.StandardError.ReadToEndAsync();
        child.StandardOutput.ReadToEnd();
        if (!child.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            child.Kill(entireProcessTree: true);
            return "no answer within 120 s";
        }
        string error = stderr.Result.Trim();
        return child.ExitCode switch
        {
            0 => null,
            _ when expectCompletion => $"exit {child.ExitCode} for a valid file: {error}",
            1 or 2 when error.StartsWith("error: ", StringComparison.Ordinal) => null,
            _ => $"exit {child.ExitCode}: {(error.Length > 400 ? error[^400..] : error)}",
        };
    }

    /// <summary>0, 1, −1, the type's maximum, one off the value, and the layer limit's edges; for floats also NaN and ±∞.</summary>
    static IEnumerable<GgufValue> Boundaries(GgufValue value)
    {
        if (value.TryGetInteger(out var n))
            return new Int128[] { 0, 1, -1, n - 1, n + 1, 512, 513, uint.MaxValue, ulong.MaxValue }.Select(x => SameType(value.Type, x)).Distinct().Where(v => !v.Equals(value));
        value.TryGetFloat(out double f);
        return new[] { 0, 1, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, float.MaxValue, float.Epsilon, f * (1 + 1e-6), -f }
            .Select(x => value.Type == GgufValueType.Float32 ? GgufValue.FromFloat32((float)x) : GgufValue.FromFloat64(x)).Distinct().Where(v => !v.Equals(value));
    }

    /// <summary>An integer of the given GGUF type, wrapped (−1 as UINT32 is 4294967295) as a writer of that type would store it.</summary>
    static GgufValue SameType(GgufValueType type, Int128 x) => type switch
    {
        GgufValueType.UInt8 => GgufValue.FromUInt8((byte)x), GgufValueType.Int8 => GgufValue.FromInt8((sbyte)x),
        GgufValueType.UInt16 => GgufValue.FromUInt16((ushort)x), GgufValueType.Int16 => GgufValue.FromInt16((short)x),
        GgufValueType.UInt32 => GgufValue.FromUInt32((uint)x), GgufValueType.Int32 => GgufValue.FromInt32((int)x),
        GgufValueType.UInt64 => GgufValue.FromUInt64((ulong)x), _ => GgufValue.FromInt64((long)x),
    };
}
