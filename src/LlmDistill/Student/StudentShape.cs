using LlmDistill.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmDistill.Student;

/// <summary>
/// A student's size: what a preset or a shape file chooses. The vocabulary always comes from the teacher (token ids in
/// the traces are student ids). A size preset (<c>tiny</c>, <c>10m</c>, <c>60m</c>) also takes the teacher's family:
/// architecture (hence RoPE style, biases, norms), RoPE base and norm epsilon (<see cref="For"/>). A model preset
/// (<c>qwen3-0.6b</c>, <c>smollm2-135m</c>, <c>llama3.2-1b</c>, <c>gemma3-270m</c>) is a real small model's shape and
/// fixes its family, RoPE base and epsilon too, so it may differ from the teacher's family (the vocabulary stays the teacher's).
/// Size-preset names count parameters outside the embedding and output matrices, whose size is vocabulary × width.
/// </summary>
public sealed record StudentShape
{
    public required int EmbeddingLength { get; init; }
    public required int BlockCount { get; init; }
    public required int HeadCount { get; init; }
    public required int HeadCountKv { get; init; }
    public required int FeedForwardLength { get; init; }
    /// <summary>Longest sequence the exported model declares, tokens.</summary>
    public int ContextLength { get; init; } = 2048;
    /// <summary>Output projection shares the embedding (saves vocabulary × width parameters: 58M at 151k × 384).</summary>
    public bool TiedEmbeddings { get; init; } = true;
    /// <summary>Per-head size; null: width / heads. Qwen3 and Gemma3 heads are wider (Qwen3-0.6B: 16 × 128 over 1024).</summary>
    public int? HeadDim { get; init; }
    /// <summary>The family the shape belongs to; null: the teacher's.</summary>
    public ModelArchitecture? Architecture { get; init; }
    /// <summary>RoPE base (Gemma3: of the global blocks); null: the teacher's.</summary>
    public float? RopeFreqBase { get; init; }
    /// <summary>RMSNorm epsilon; null: the teacher's.</summary>
    public float? RmsNormEps { get; init; }
    /// <summary>Gemma3's local attention window, tokens; null: the teacher's, or 512 (Gemma 3 270M and 1B).</summary>
    public int? SlidingWindow { get; init; }
    /// <summary>Llama 3's RoPE frequency scaling (a llama student then has <c>rope_freqs</c>); null: none.</summary>
    public Llama3RopeScaling? RopeScaling { get; init; }

    /// <summary>For tests: 64 wide, 2 blocks, 4 heads (2 kv), SwiGLU 128; 0.1M parameters outside the embedding.</summary>
    public static StudentShape Tiny { get; } = new() { EmbeddingLength = 64, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128, ContextLength = 512 };

    /// <summary>384 wide, 6 blocks, 6 heads of 64 (2 kv), SwiGLU 1024: 9.4M parameters outside the embedding.</summary>
    public static StudentShape TenM { get; } = new() { EmbeddingLength = 384, BlockCount = 6, HeadCount = 6, HeadCountKv = 2, FeedForwardLength = 1024 };

    /// <summary>768 wide, 10 blocks, 12 heads of 64 (4 kv), SwiGLU 2048: 62.9M parameters outside the embedding. Widths are multiples of 256, as k-quants need.</summary>
    public static StudentShape SixtyM { get; } = new() { EmbeddingLength = 768, BlockCount = 10, HeadCount = 12, HeadCountKv = 4, FeedForwardLength = 2048 };

    /// <summary>
    /// Qwen3-0.6B (Hugging Face config.json): 1024 wide, 28 blocks, 16 heads of 128 (8 kv), SwiGLU 3072, q/k norms, tied,
    /// RoPE base 1e6, eps 1e-6, 40960 positions; 440M parameters outside the embedding (156M more at its 151,936 rows).
    /// </summary>
    public static StudentShape Qwen3_0_6B { get; } = new()
    {
        Architecture = ModelArchitecture.Qwen3, EmbeddingLength = 1024, BlockCount = 28, HeadCount = 16, HeadCountKv = 8, HeadDim = 128,
        FeedForwardLength = 3072, ContextLength = 40960, RopeFreqBase = 1_000_000f, RmsNormEps = 1e-6f,
    };

    /// <summary>
    /// SmolLM2-135M (llama): 576 wide, 30 blocks, 9 heads of 64 (3 kv), SwiGLU 1536, tied, RoPE base 1e5, eps 1e-5,
    /// 8192 positions; 106M parameters outside the embedding.
    /// </summary>
    public static StudentShape SmolLM2_135M { get; } = new()
    {
        Architecture = ModelArchitecture.Llama, EmbeddingLength = 576, BlockCount = 30, HeadCount = 9, HeadCountKv = 3,
        FeedForwardLength = 1536, ContextLength = 8192, RopeFreqBase = 100_000f, RmsNormEps = 1e-5f,
    };

    /// <summary>
    /// Llama-3.2-1B: 2048 wide, 16 blocks, 32 heads of 64 (8 kv), SwiGLU 8192, tied, RoPE base 5e5 with Llama 3's
    /// frequency scaling (factor 32, <c>rope_freqs</c>), eps 1e-5, 131072 positions; 973M parameters outside the embedding.
    /// </summary>
    public static StudentShape Llama3_2_1B { get; } = new()
    {
        Architecture = ModelArchitecture.Llama, EmbeddingLength = 2048, BlockCount = 16, HeadCount = 32, HeadCountKv = 8,
        FeedForwardLength = 8192, ContextLength = 131072, RopeFreqBase = 500_000f, RmsNormEps = 1e-5f, RopeScaling = Llama3RopeScaling.Llama3_2,
    };

    /// <summary>
    /// Gemma-3-270M: 640 wide, 18 blocks, 4 heads of 256 (1 kv), GELU-gated 2048, tied, window 512 in five of six blocks,
    /// RoPE base 1e6 global and 1e4 local, eps 1e-6, 32768 positions; 100M parameters outside the embedding (168M more at
    /// its 262,144 rows).
    /// </summary>
    public static StudentShape Gemma3_270M { get; } = new()
    {
        Architecture = ModelArchitecture.Gemma3, EmbeddingLength = 640, BlockCount = 18, HeadCount = 4, HeadCountKv = 1, HeadDim = 256,
        FeedForwardLength = 2048, ContextLength = 32768, RopeFreqBase = 1_000_000f, RmsNormEps = 1e-6f, SlidingWindow = 512,
    };

    public static IReadOnlyDictionary<string, StudentShape> Presets { get; } = new Dictionary<string, StudentShape>
    {
        ["tiny"] = Tiny, ["10m"] = TenM, ["60m"] = SixtyM,
        ["qwen3-0.6b"] = Qwen3_0_6B, ["smollm2-135m"] = SmolLM2_135M, ["llama3.2-1b"] = Llama3_2_1B, ["gemma3-270m"] = Gemma3_270M,
    };

    /// <summary>A preset name (<c>tiny</c>, <c>10m</c>, <c>60m</c>, <c>qwen3-0.6b</c>, …) or the path of a YAML shape file.</summary>
    public static StudentShape Parse(string nameOrPath)
    {
        if (Presets.TryGetValue(nameOrPath.Trim().ToLowerInvariant(), out var preset)) return preset;
        if (File.Exists(nameOrPath)) return Load(nameOrPath);
        throw new ArgumentException($"'{nameOrPath}' is neither a student preset ({string.Join(", ", Presets.Keys)}) nor a YAML shape file.");
    }

    /// <summary>
    /// Reads a YAML shape: <c>embedding_length</c>, <c>block_count</c>, <c>head_count</c>, <c>head_count_kv</c>,
    /// <c>feed_forward_length</c>, optional <c>context_length</c>, <c>tied_embeddings</c> and <c>head_dim</c>. Unknown keys are refused.
    /// </summary>
    public static StudentShape Load(string path)
    {
        var deserializer = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
        ShapeFile file;
        try
        {
            file = deserializer.Deserialize<ShapeFile?>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{path}: {e.Message} (keys: embedding_length, block_count, head_count, head_count_kv, feed_forward_length, context_length, tied_embeddings, head_dim).", e);
        }
        int Required(int? value, string key) => value ?? throw new InvalidDataException($"{path} lacks {key}.");
        return new StudentShape
        {
            EmbeddingLength = Required(file.EmbeddingLength, "embedding_length"),
            BlockCount = Required(file.BlockCount, "block_count"),
            HeadCount = Required(file.HeadCount, "head_count"),
            HeadCountKv = file.HeadCountKv ?? file.HeadCount ?? 0,
            FeedForwardLength = Required(file.FeedForwardLength, "feed_forward_length"),
            ContextLength = file.ContextLength ?? 2048,
            TiedEmbeddings = file.TiedEmbeddings ?? true,
            HeadDim = file.HeadDim,
        };
    }

    /// <summary>
    /// The student config: this shape in the teacher's vocabulary, and in the teacher's family (architecture, RoPE base,
    /// norm epsilon, Gemma3 window) where the shape does not fix its own (validated).
    /// </summary>
    public LlamaModelConfig For(ModelArchitecture architecture, int vocabSize, float ropeFreqBase, float rmsNormEps, int? slidingWindow = null)
    {
        var family = Architecture ?? architecture;
        return new LlamaModelConfig
        {
            Architecture = family,
            VocabSize = vocabSize,
            EmbeddingLength = EmbeddingLength,
            BlockCount = BlockCount,
            HeadCount = HeadCount,
            HeadCountKv = HeadCountKv,
            HeadDim = HeadDim,
            FeedForwardLength = FeedForwardLength,
            ContextLength = ContextLength,
            RopeFreqBase = RopeFreqBase ?? ropeFreqBase,
            RmsNormEps = RmsNormEps ?? rmsNormEps,
            AttentionBias = family == ModelArchitecture.Qwen2,
            TiedEmbeddings = TiedEmbeddings,
            SlidingWindow = family == ModelArchitecture.Gemma3 ? SlidingWindow ?? slidingWindow ?? 512 : null,
            RopeFreqFactors = family == ModelArchitecture.Llama && RopeScaling is not null,
        }.Validate();
    }

    /// <summary>
    /// Null when <paramref name="config"/> (a pretrained file's) has this shape, else the first difference as a phrase
    /// (<c>block_count 24, not 28</c>). Only what the shape fixes is compared.
    /// </summary>
    public string? DifferenceFrom(LlamaModelConfig config)
    {
        var expected = For(config.Architecture, config.VocabSize, config.RopeFreqBase, config.RmsNormEps, config.SlidingWindow);
        (string Key, object Want, object Have)[] fields =
        [
            ("architecture", expected.ArchitectureName, config.ArchitectureName),
            ("embedding_length", expected.EmbeddingLength, config.EmbeddingLength),
            ("block_count", expected.BlockCount, config.BlockCount),
            ("head_count", expected.HeadCount, config.HeadCount),
            ("head_count_kv", expected.HeadCountKv, config.HeadCountKv),
            ("head size", expected.HeadSize, config.HeadSize),
            ("feed_forward_length", expected.FeedForwardLength, config.FeedForwardLength),
            ("tied embeddings", expected.TiedEmbeddings, config.TiedEmbeddings),
            ("rope.freq_base", expected.RopeFreqBase, config.RopeFreqBase),
            ("sliding_window", expected.SlidingWindow ?? 0, config.SlidingWindow ?? 0),
            ("rope_freqs tensor", expected.RopeFreqFactors, config.RopeFreqFactors),
        ];
        return fields.FirstOrDefault(f => !Equals(f.Want, f.Have)) is { Key: not null } d ? $"{d.Key} {d.Have}, not {d.Want}" : null;
    }

    /// <summary>
    /// The shape a random student takes when none is given: the largest preset (60m, 10m, tiny) whose parameters,
    /// embedding included, are at most a fifth of the teacher's and whose training state (weights, gradients and two
    /// AdamW moments: 16 bytes a parameter, plus ~5 chunks of 256 × vocabulary float logits) fits in half of
    /// <paramref name="memoryBytes"/> (default: the memory this process may use). Tiny when nothing else fits.
    /// </summary>
    public static (string Name, StudentShape Shape) DefaultFor(long teacherParameters, int vocabularySize, long? memoryBytes = null)
    {
        long memory = memoryBytes ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        foreach (string name in new[] { "60m", "10m" })
        {
            var shape = Presets[name];
            long parameters = shape.NonEmbeddingParameters + (long)vocabularySize * shape.EmbeddingLength * (shape.TiedEmbeddings ? 1 : 2);
            long training = 16 * parameters + 5L * 256 * vocabularySize * 4;
            if (parameters * 5 <= teacherParameters && training <= memory / 2) return (name, shape);
        }
        return ("tiny", Tiny);
    }

    /// <summary>
    /// Parameters outside token embedding and output: attention, feed-forward and norms of every block, plus the final
    /// norm; counted from the tensor table of the shape's family (a size preset's as llama).
    /// </summary>
    public long NonEmbeddingParameters =>
        ModelTensors.For(For(Architecture ?? ModelArchitecture.Llama, vocabSize: 1, ropeFreqBase: 10000f, rmsNormEps: 1e-5f))
            .Where(t => t.Name is not ModelTensors.TokenEmbedding and not ModelTensors.Output)
            .Sum(t => t.ElementCount);

    /// <summary>The YAML file's fields; all optional here so a missing key gets a clear message.</summary>
    sealed class ShapeFile
    {
        public int? EmbeddingLength { get; set; }
        public int? BlockCount { get; set; }
        public int? HeadCount { get; set; }
        public int? HeadCountKv { get; set; }
        public int? FeedForwardLength { get; set; }
        public int? ContextLength { get; set; }
        public bool? TiedEmbeddings { get; set; }
        public int? HeadDim { get; set; }
    }
}
