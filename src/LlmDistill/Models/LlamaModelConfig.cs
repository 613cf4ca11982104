namespace LlmDistill.Models;

/// <summary>The decoder families this project writes: all are RMSNorm + RoPE + gated feed-forward + grouped-query attention.</summary>
public enum ModelArchitecture
{
    /// <summary>GGUF <c>llama</c>: no attention biases; RoPE on adjacent pairs (llama.cpp rope type NORM).</summary>
    Llama,
    /// <summary>GGUF <c>qwen2</c>: q/k/v biases; RoPE on half-split pairs (rope type NEOX); head_dim × heads = embedding.</summary>
    Qwen2,
    /// <summary>GGUF <c>qwen3</c>: no biases; an RMSNorm over each query and key head (<c>attn_q_norm</c>, <c>attn_k_norm</c>)
    /// before RoPE on half-split pairs (NEOX); head_dim × heads may differ from the embedding (Qwen3-0.6B: 16 × 128 vs 1024).</summary>
    Qwen3,
    /// <summary>GGUF <c>gemma3</c>: as qwen3 (q/k norms, NEOX RoPE, free head size) plus a norm after attention and after the
    /// feed-forward (<c>post_attention_norm</c>, <c>post_ffw_norm</c>), embeddings scaled by √width, a GELU (tanh) gate, and
    /// sliding-window attention in five of every six blocks, which use RoPE base 10000 (<see cref="LlamaModelConfig.LocalRopeFreqBase"/>).
    /// Norm weights are used as stored: the GGUF converter has already added Gemma's 1 to them.</summary>
    Gemma3,
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
    /// <summary>
    /// Gemma3 only (required there): how many positions a query of a local block sees, itself included
    /// (<c>gemma3.attention.sliding_window</c>; llama.cpp masks key p0 for query p1 when p1 − p0 ≥ window).
    /// </summary>
    public int? SlidingWindow { get; init; }
    /// <summary>
    /// Llama only: a <c>rope_freqs.weight</c> tensor of head size / 2 divisors, one per RoPE frequency (llama.cpp
    /// <c>freq_factors</c>: angle = position · base^(−2i/d) / factor[i]). convert_hf_to_gguf writes it for Llama 3.1/3.2's
    /// <c>rope_scaling: llama3</c>. The values are frozen weights of the model, not trained.
    /// </summary>
    public bool RopeFreqFactors { get; init; }

    /// <summary>
    /// Gemma3: blocks i with i % 6 &lt; 5 are local (sliding window, RoPE base <see cref="LocalRopeFreqBase"/>), every
    /// sixth block (5, 11, 17, …) global (whole context, <see cref="RopeFreqBase"/>). llama.cpp 815a2a59 fixes both numbers
    /// (<c>set_swa_pattern(6)</c>, <c>rope_freq_base_train_swa = 10000</c>), so they are constants here, not GGUF keys.
    /// </summary>
    public const int SlidingWindowPattern = 6;
    public const float LocalRopeFreqBase = 10000f;

    /// <summary>The window of block <paramref name="block"/>: null for a block that sees the whole context.</summary>
    public int? WindowOf(int block) =>
        Architecture == ModelArchitecture.Gemma3 && block % SlidingWindowPattern < SlidingWindowPattern - 1 ? SlidingWindow : null;

    /// <summary>The RoPE base of block <paramref name="block"/>: local Gemma3 blocks turn with base 10000.</summary>
    public float RopeFreqBaseOf(int block) => WindowOf(block) is null ? RopeFreqBase : LocalRopeFreqBase;

    public int HeadSize => HeadDim ?? EmbeddingLength / HeadCount;
    /// <summary>Width of the q projection output (heads × head size).</summary>
    public int QueryLength => HeadCount * HeadSize;
    /// <summary>Width of each of the k and v projection outputs.</summary>
    public int KeyValueLength => HeadCountKv * HeadSize;
    /// <summary>RMSNorm over each query and key head before RoPE (Qwen3, Gemma3).</summary>
    public bool QkNorm => Architecture is ModelArchitecture.Qwen3 or ModelArchitecture.Gemma3;
    /// <summary>Gemma3's sandwich norms: RMSNorm on the attention and feed-forward outputs before each residual add.</summary>
    public bool PostNorms => Architecture == ModelArchitecture.Gemma3;
    /// <summary>Factor on the token embeddings before block 0: √width for Gemma3 (llama.cpp: <c>sqrtf(n_embd)</c>), else 1.</summary>
    public float EmbeddingScale => Architecture == ModelArchitecture.Gemma3 ? MathF.Sqrt(EmbeddingLength) : 1f;
    /// <summary>
    /// Factor on q·k: 1/√head size, except Gemma3 27B (62 blocks), which llama.cpp scales by 1/√(width / heads), as
    /// Google's gemma_pytorch does (query_pre_attn_scalar).
    /// </summary>
    public double AttentionScale => Architecture == ModelArchitecture.Gemma3 && BlockCount == 62
        ? 1.0 / Math.Sqrt((double)EmbeddingLength / HeadCount)
        : 1.0 / Math.Sqrt(HeadSize);

    public string ArchitectureName => Architecture switch
    {
        ModelArchitecture.Llama => "llama",
        ModelArchitecture.Qwen2 => "qwen2",
        ModelArchitecture.Qwen3 => "qwen3",
        ModelArchitecture.Gemma3 => "gemma3",
        _ => throw new ArgumentOutOfRangeException(nameof(Architecture), Architecture, null),
    };

    /// <summary>The architecture of a GGUF <c>general.architecture</c> name, or null for a family the student does not implement.</summary>
    public static ModelArchitecture? ParseArchitecture(string name) => name switch
    {
        "llama" => ModelArchitecture.Llama,
        "qwen2" => ModelArchitecture.Qwen2,
        "qwen3" => ModelArchitecture.Qwen3,
        "gemma3" => ModelArchitecture.Gemma3,
        _ => null,
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
        if (Architecture == ModelArchitecture.Gemma3 && !(SlidingWindow > 0))
            throw new ArgumentException($"gemma3 needs a positive SlidingWindow (llama.cpp requires gemma3.attention.sliding_window), not {SlidingWindow?.ToString() ?? "none"}.");
        if (RopeFreqFactors && Architecture != ModelArchitecture.Llama)
            throw new ArgumentException($"RoPE frequency factors (rope_freqs) are a llama setting; llama.cpp's {ArchitectureName} does not read them.");
        if (Architecture != ModelArchitecture.Gemma3 && SlidingWindow is not null)
            throw new ArgumentException($"SlidingWindow is a gemma3 setting; {ArchitectureName} attends to the whole context.");
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

    /// <summary>
    /// A tiny Gemma3 for tests: 64 wide, 7 blocks (local 0–4, global 5, local 6), 4 heads of 32 (2 kv), ffn 128, window 8,
    /// so that both window and both RoPE bases matter in a 48-token sequence.
    /// </summary>
    public static LlamaModelConfig TinyGemma3(int vocabSize) => TinyLlama(vocabSize) with
    {
        Architecture = ModelArchitecture.Gemma3,
        BlockCount = 7,
        HeadDim = 32,
        RopeFreqBase = 1_000_000f,
        RmsNormEps = 1e-6f,
        TiedEmbeddings = true,
        SlidingWindow = 8,
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
