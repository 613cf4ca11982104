namespace LlmDistill.Models;

/// <summary>The decoder families this project writes: both are RMSNorm + RoPE + SwiGLU + grouped-query attention.</summary>
public enum ModelArchitecture
{
    /// <summary>GGUF <c>llama</c>: no attention biases; RoPE on adjacent pairs (llama.cpp rope type NORM).</summary>
    Llama,
    /// <summary>GGUF <c>qwen2</c>: q/k/v biases; RoPE on half-split pairs (rope type NEOX); head_dim × heads = embedding.</summary>
    Qwen2,
    /// <summary>GGUF <c>qwen3</c>: no biases; an RMSNorm over each query and key head (<c>attn_q_norm</c>, <c>attn_k_norm</c>)
    /// before RoPE on half-split pairs (NEOX); head_dim × heads may differ from the embedding (Qwen3-0.6B: 16 × 128 vs 1024).</summary>
    Qwen3,
}

/// <summary>
/// Shapes and hyper-parameters of a Llama-family decoder, named after the GGUF keys they become
/// (<c>&lt;arch&gt;.embedding_length</c>, <c>.block_count</c>, ...).
/// </summary>
public sealed record LlamaModelConfig
{
    public required ModelArchitecture Architecture { get; init; }
    /// <summary>Rows of <c>token_embd</c>; must equal the vocabulary's token count.</summary>
    public required int VocabSize { get; init; }
    /// <summary>Hidden size (d_model).</summary>
    public required int EmbeddingLength { get; init; }
    public required int BlockCount { get; init; }
    public required int HeadCount { get; init; }
    /// <summary>Key/value heads (grouped-query attention); must divide <see cref="HeadCount"/>.</summary>
    public required int HeadCountKv { get; init; }
    /// <summary>Per-head size; defaults to EmbeddingLength / HeadCount.</summary>
    public int? HeadDim { get; init; }
    /// <summary>SwiGLU hidden size (<c>ffn_gate</c>/<c>ffn_up</c> outputs).</summary>
    public required int FeedForwardLength { get; init; }
    public int ContextLength { get; init; } = 2048;
    public float RopeFreqBase { get; init; } = 10000f;
    public float RmsNormEps { get; init; } = 1e-5f;
    /// <summary>Biases on q/k/v projections (Qwen2).</summary>
    public bool AttentionBias { get; init; }
    /// <summary>Output projection shares <c>token_embd.weight</c>; otherwise a separate <c>output.weight</c> is written.</summary>
    public bool TiedEmbeddings { get; init; }

    public int HeadSize => HeadDim ?? EmbeddingLength / HeadCount;
    /// <summary>Width of the q projection output (heads × head size).</summary>
    public int QueryLength => HeadCount * HeadSize;
    /// <summary>Width of each of the k and v projection outputs.</summary>
    public int KeyValueLength => HeadCountKv * HeadSize;
    /// <summary>RMSNorm over each query and key head before RoPE (Qwen3).</summary>
    public bool QkNorm => Architecture == ModelArchitecture.Qwen3;

    public string ArchitectureName => Architecture switch
    {
        ModelArchitecture.Llama => "llama",
        ModelArchitecture.Qwen2 => "qwen2",
        ModelArchitecture.Qwen3 => "qwen3",
        _ => throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, null),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent field.</summary>
    public LlamaModelConfig Validate()
    {
        static void Positive(int value, string name)
        {
            if (value <= 0) throw new ArgumentException($"{name} must be positive, not {value}.");
        }
        Positive(VocabSize, nameof(VocabSize));
        Positive(EmbeddingLength, nameof(EmbeddingLength));
        Positive(BlockCount, nameof(BlockCount));
        Positive(HeadCount, nameof(HeadCount));
        Positive(HeadCountKv, nameof(HeadCountKv));
        Positive(FeedForwardLength, nameof(FeedForwardLength));
        Positive(ContextLength, nameof(ContextLength));
        if (HeadCount % HeadCountKv != 0)
            throw new ArgumentException($"HeadCountKv ({HeadCountKv}) must divide HeadCount ({HeadCount}).");
        if (HeadDim is null && EmbeddingLength % HeadCount != 0)
            throw new ArgumentException($"EmbeddingLength ({EmbeddingLength}) is not a multiple of HeadCount ({HeadCount}); set HeadDim.");
        if (HeadSize <= 0 || HeadSize % 2 != 0) throw new ArgumentException($"HeadDim must be positive and even for RoPE, not {HeadSize}.");
        if (Architecture == ModelArchitecture.Qwen2 && QueryLength != EmbeddingLength)
            throw new ArgumentException($"qwen2 in llama.cpp needs HeadDim × HeadCount = EmbeddingLength ({QueryLength} ≠ {EmbeddingLength}).");
        if (!(RopeFreqBase > 0)) throw new ArgumentException($"RopeFreqBase must be positive, not {RopeFreqBase}.");
        if (!(RmsNormEps > 0)) throw new ArgumentException($"RmsNormEps must be positive, not {RmsNormEps}.");
        return this;
    }

    /// <summary>A tiny Llama for tests: 64 wide, 2 blocks, 4 heads (2 kv), head size 16, ffn 128, separate output.</summary>
    public static LlamaModelConfig TinyLlama(int vocabSize) => new()
    {
        Architecture = ModelArchitecture.Llama,
        VocabSize = vocabSize,
        EmbeddingLength = 64,
        BlockCount = 2,
        HeadCount = 4,
        HeadCountKv = 2,
        FeedForwardLength = 128,
        ContextLength = 512,
        RopeFreqBase = 10000f,
        RmsNormEps = 1e-5f,
    };

    /// <summary>A tiny Qwen2 for tests: as <see cref="TinyLlama"/> plus q/k/v biases and tied embeddings.</summary>
    public static LlamaModelConfig TinyQwen2(int vocabSize) => TinyLlama(vocabSize) with
    {
        Architecture = ModelArchitecture.Qwen2,
        RopeFreqBase = 1_000_000f,
        RmsNormEps = 1e-6f,
        AttentionBias = true,
        TiedEmbeddings = true,
    };

    /// <summary>A tiny Qwen3 for tests: as <see cref="TinyLlama"/> with q/k norms, tied embeddings and heads of 32 (4 × 32 ≠ 64 wide).</summary>
    public static LlamaModelConfig TinyQwen3(int vocabSize) => TinyLlama(vocabSize) with
    {
        Architecture = ModelArchitecture.Qwen3,
        HeadDim = 32,
        RopeFreqBase = 1_000_000f,
        RmsNormEps = 1e-6f,
        TiedEmbeddings = true,
    };

    /// <summary>Qwen2.5-0.5B's shapes (494M parameters; vocab 151936 rows, more than its 151665 tokens: pad the vocabulary).</summary>
    public static LlamaModelConfig Qwen25_0_5B { get; } = new()
    {
        Architecture = ModelArchitecture.Qwen2,
        VocabSize = 151936,
        EmbeddingLength = 896,
        BlockCount = 24,
        HeadCount = 14,
        HeadCountKv = 2,
        FeedForwardLength = 4864,
        ContextLength = 32768,
        RopeFreqBase = 1_000_000f,
        RmsNormEps = 1e-6f,
        AttentionBias = true,
        TiedEmbeddings = true,
    };
}
