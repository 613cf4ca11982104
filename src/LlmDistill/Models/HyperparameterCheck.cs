using System.Globalization;
using LlmDistill.Gguf;

namespace LlmDistill.Models;

/// <summary>
/// The hyperparameters that llama.cpp asserts on while loading (llama-model.cpp, <c>load_hparams</c>: a failed
/// GGML_ASSERT aborts the whole process), divides by, or that turn every logit into NaN, checked in managed code before
/// a GGUF reaches native code. A bad value ends in one sentence naming the file, the key and the value. The keys are
/// those every architecture shares (<c>&lt;arch&gt;.block_count</c>, ...); a key llama.cpp treats as optional is
/// checked only when present.
/// </summary>
internal static class HyperparameterCheck
{
    /// <summary>LLAMA_MAX_LAYERS (llama-hparams.h).</summary>
    public const int MaxLayers = 512;

    /// <summary>
    /// LLAMA_MAX_EXPERTS: 1024 in npm's llama.cpp v0.5.0 but smaller in older builds (LLamaSharp's), so the smallest
    /// value a current build may have is used: a model with more experts is refused rather than risk an abort.
    /// </summary>
    public const int MaxExperts = 384;

    /// <summary>
    /// Architectures whose graph builder (llama.cpp src/models/&lt;name&gt;.cpp) asserts that a head's key size, value
    /// size and rotary dimensions are one number (<c>GGML_ASSERT(n_embd_head == n_rot)</c>); '-' spelled '_'.
    /// </summary>
    static readonly HashSet<string> WholeHeadRotary =
    [
        "apertus", "arcee", "arctic", "baichuan", "chameleon", "codeshell", "cogvlm", "cohere2moe", "dbrx", "deci", "deepseek", "dots1",
        "dream", "ernie4_5_moe", "ernie4_5", "exaone_moe", "exaone", "exaone4", "falcon", "granite_swa", "granite_switch", "granite",
        "grok", "grovemoe", "hunyuan_moe", "hunyuan_vl", "hy_v3", "internlm2", "jais2", "llada_moe", "llada", "llama", "llama4",
        "maincoder", "mellum", "minimax_01", "minimax_m2", "mistral3", "nemotron", "olmo", "olmo2", "olmoe", "orion", "paddleocr",
        "pangu_embed", "plamo", "pockettts", "qwen2", "qwen2moe", "qwen2vl", "qwen3", "qwen3moe", "qwen3vl", "qwen3vlmoe", "rnd1",
        "seed_oss", "smallthinker", "smollm3", "starcoder2", "talkie", "xverse",
    ];

    /// <summary>rope.scaling.type names llama.cpp knows (LLAMA_ROPE_SCALING_TYPES); another name fails an assertion.</summary>
    static readonly string[] RopeScalingTypes = ["none", "linear", "yarn", "longrope"];

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first hyperparameter of <paramref name="file"/> that llama.cpp cannot take.</summary>
    public static void Ensure(GgufFile file, string architecture)
    {
        var m = file.Metadata;
        string Key(string name) => $"{architecture}.{name}";
        InvalidDataException Bad(string name, object value, string need) =>
            new($"GGUF file '{file.Path}': {Key(name)} = {Show(value)}, but llama.cpp needs {need}.");

        long Required(string name, long min, long max, string need)
        {
            if (!m.TryGetValue(Key(name), out var value))
                throw new InvalidDataException($"GGUF file '{file.Path}' has no {Key(name)}: llama.cpp needs {need}.");
            return Integer(name, value, min, max, need);
        }
        long Integer(string name, GgufValue value, long min, long max, string need) => Within(value.RawValue, min, max) ?? throw Bad(name, value, need);
        long? Optional(string name, long min, long max, string need) =>
            m.TryGetValue(Key(name), out var value) ? Integer(name, value, min, max, need) : null;
        // A per-layer value may be one number or an array of one per block (llama.cpp's get_key_or_arr). In an array a
        // 0 is allowed: hybrid models mark layers without attention (or without a feed-forward) that way.
        long[]? PerLayer(string name, int blocks, long min, string need)
        {
            if (!m.TryGetValue(Key(name), out var value)) return null;
            if (!value.IsArray) return [Integer(name, value, min, uint.MaxValue, need)];
            if (value.Count != blocks) throw Bad(name, value, $"one value per block ({blocks})");
            return [.. Elements(value).Select(x => Within(x, 0, uint.MaxValue) ?? throw Bad(name, value, need))];
        }
        void Positive(string name, bool allowZero = false)
        {
            if (!m.TryGetValue(Key(name), out var value)) return;
            if (!value.TryGetFloat(out double x) || !double.IsFinite(x) || x < 0 || (x == 0 && !allowZero))
                throw Bad(name, value, allowZero ? "a finite number ≥ 0" : "a finite number > 0");
        }

        int blocks = (int)Required("block_count", 1, MaxLayers, $"1 to {MaxLayers} blocks (LLAMA_MAX_LAYERS)");
        Required("context_length", 1, uint.MaxValue, "a context length > 0");
        long embedding = Required("embedding_length", 1, uint.MaxValue, "an embedding length > 0");
        PerLayer("feed_forward_length", blocks, 1, "a feed-forward length > 0");
        Optional("nextn_predict_layers", 0, blocks, $"at most block_count ({blocks}) next-token layers");

        long[]? heads = PerLayer("attention.head_count", blocks, 1, "a head count > 0");
        long? keyLength = Optional("attention.key_length", 1, uint.MaxValue, "a key length > 0");
        if (keyLength is null && heads is [var only] && embedding % only != 0)
            throw Bad("attention.head_count", m[Key("attention.head_count")], $"a divisor of embedding_length ({embedding})");
        long[]? kvHeads = PerLayer("attention.head_count_kv", blocks, 1, "a key/value head count > 0");
        if (heads is not null && kvHeads is not null)
            for (int layer = 0; layer < blocks; layer++)
            {
                long h = heads[Math.Min(layer, heads.Length - 1)], kv = kvHeads[Math.Min(layer, kvHeads.Length - 1)];
                if (kv > 0 && h % kv != 0) throw Bad("attention.head_count_kv", m[Key("attention.head_count_kv")], $"a divisor of attention.head_count ({h})");
            }
        long? valueLength = Optional("attention.value_length", 1, uint.MaxValue, "a value length > 0");
        long? evenHead = heads is [var h0] ? embedding / h0 : null;
        long? headDim = keyLength ?? evenHead, valueDim = valueLength ?? evenHead;
        long? rotary = Optional("rope.dimension_count", 1, headDim ?? uint.MaxValue, headDim is long d ? $"1 to the head size ({d}) rotary dimensions" : "rotary dimensions > 0");
        if (WholeHeadRotary.Contains(architecture.Replace('-', '_')))
        {
            if (headDim is long k && valueDim is long v && k != v)
                throw Bad(valueLength is null ? "attention.key_length" : "attention.value_length", m[Key(valueLength is null ? "attention.key_length" : "attention.value_length")],
                    $"key and value heads of one size in {architecture} (key {k}, value {v})");
            if (rotary is long r && headDim is long size && r != size)
                throw Bad("rope.dimension_count", m[Key("rope.dimension_count")], $"the head size ({size}): {architecture} rotates whole heads");
        }

        Positive("rope.freq_base");
        Positive("rope.scaling.factor", allowZero: true);
        Positive("attention.layer_norm_rms_epsilon");
        Positive("attention.layer_norm_epsilon");
        if (m.TryGetValue(Key("rope.scaling.type"), out var scaling) && !(scaling.Type == GgufValueType.String && RopeScalingTypes.Contains(scaling.AsString())))
            throw Bad("rope.scaling.type", scaling, $"one of {string.Join(", ", RopeScalingTypes)}");

        long experts = Optional("expert_count", 0, MaxExperts, $"at most {MaxExperts} experts") ?? 0;
        long[]? used = PerLayer("expert_used_count", blocks, 0, "a used-expert count ≥ 0");
        if (used is null && experts > 0)
            throw new InvalidDataException($"GGUF file '{file.Path}' has {Key("expert_count")} = {experts} but no {Key("expert_used_count")}: llama.cpp needs 1 to {experts} experts per token.");
        if (used is not null && used.Any(u => u > experts || (experts > 0) != (u > 0)))
            throw Bad("expert_used_count", m[Key("expert_used_count")], experts > 0 ? $"1 to expert_count ({experts}) experts per token" : "0 when expert_count is 0");
    }

    /// <summary>An integer element or scalar of any GGUF integer type, when within [min, max]; null otherwise (floats, strings, ...).</summary>
    static long? Within(object raw, long min, long max)
    {
        Int128? n = raw switch
        {
            byte v => v, sbyte v => v, ushort v => v, short v => v, uint v => v, int v => v, ulong v => v, long v => v, _ => null,
        };
        return n is Int128 i && i >= min && i <= max ? (long)i : null;
    }

    static IEnumerable<object> Elements(GgufValue array) => ((Array)array.RawValue).Cast<object>();

    static string Show(object value) => value switch
    {
        GgufValue { IsArray: true } v => $"[{string.Join(", ", Elements(v).Take(8).Select(Show))}{(v.Count > 8 ? ", …" : "")}]",
        GgufValue v => Show(v.RawValue),
        float x => x.ToString("R", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        string text => $"\"{text}\"",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
