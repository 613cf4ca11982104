using LlmDistill.Models;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmDistill.Student;

/// <summary>
/// A student's size: what a preset or a shape file chooses. The rest comes from the teacher, because the student must
/// share its tokenizer and run in llama.cpp as the same family: architecture (llama/qwen2, hence RoPE style and q/k/v
/// biases), vocabulary size, RoPE base and norm epsilon (<see cref="For"/>).
/// Preset names count parameters outside the embedding and output matrices, whose size is vocabulary × width.
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

    /// <summary>For tests: 64 wide, 2 blocks, 4 heads (2 kv), SwiGLU 128; 0.1M parameters outside the embedding.</summary>
    public static StudentShape Tiny { get; } = new() { EmbeddingLength = 64, BlockCount = 2, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128, ContextLength = 512 };

    /// <summary>384 wide, 6 blocks, 6 heads of 64 (2 kv), SwiGLU 1024: 9.4M parameters outside the embedding.</summary>
    public static StudentShape TenM { get; } = new() { EmbeddingLength = 384, BlockCount = 6, HeadCount = 6, HeadCountKv = 2, FeedForwardLength = 1024 };

    /// <summary>768 wide, 10 blocks, 12 heads of 64 (4 kv), SwiGLU 2048: 62.9M parameters outside the embedding. Widths are multiples of 256, as k-quants need.</summary>
    public static StudentShape SixtyM { get; } = new() { EmbeddingLength = 768, BlockCount = 10, HeadCount = 12, HeadCountKv = 4, FeedForwardLength = 2048 };

    public static IReadOnlyDictionary<string, StudentShape> Presets { get; } = new Dictionary<string, StudentShape>
    {
        ["tiny"] = Tiny, ["10m"] = TenM, ["60m"] = SixtyM,
    };

    /// <summary>A preset name (<c>tiny</c>, <c>10m</c>, <c>60m</c>) or the path of a YAML shape file.</summary>
    public static StudentShape Parse(string nameOrPath)
    {
        if (Presets.TryGetValue(nameOrPath.Trim().ToLowerInvariant(), out var preset)) return preset;
        if (File.Exists(nameOrPath)) return Load(nameOrPath);
        throw new ArgumentException($"'{nameOrPath}' is neither a student preset ({string.Join(", ", Presets.Keys)}) nor a YAML shape file.");
    }

    /// <summary>
    /// Reads a YAML shape: <c>embedding_length</c>, <c>block_count</c>, <c>head_count</c>, <c>head_count_kv</c>,
    /// <c>feed_forward_length</c>, optional <c>context_length</c> and <c>tied_embeddings</c>. Unknown keys are refused.
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
            throw new InvalidDataException($"{path}: {e.Message} (keys: embedding_length, block_count, head_count, head_count_kv, feed_forward_length, context_length, tied_embeddings).", e);
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
        };
    }

    /// <summary>The student config: this shape in the teacher's family and vocabulary (validated).</summary>
    public LlamaModelConfig For(ModelArchitecture architecture, int vocabSize, float ropeFreqBase, float rmsNormEps) => new LlamaModelConfig
    {
        Architecture = architecture,
        VocabSize = vocabSize,
        EmbeddingLength = EmbeddingLength,
        BlockCount = BlockCount,
        HeadCount = HeadCount,
        HeadCountKv = HeadCountKv,
        FeedForwardLength = FeedForwardLength,
        ContextLength = ContextLength,
        RopeFreqBase = ropeFreqBase,
        RmsNormEps = rmsNormEps,
        AttentionBias = architecture == ModelArchitecture.Qwen2,
        TiedEmbeddings = TiedEmbeddings,
    }.Validate();

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

    /// <summary>Parameters outside token embedding and output: attention, SwiGLU and norms of every block, plus the final norm.</summary>
    public long NonEmbeddingParameters
    {
        get
        {
            long c = EmbeddingLength, headSize = c / HeadCount, kv = HeadCountKv * headSize;
            long attention = 2 * c * c + 2 * c * kv;     // q, output: C × C; k, v: C × kv
            long mlp = 3 * c * FeedForwardLength;         // gate, up, down
            return BlockCount * (attention + mlp + 2 * c) + c;
        }
    }

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
    }
}
