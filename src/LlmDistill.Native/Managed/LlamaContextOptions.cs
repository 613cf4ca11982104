using LLama.Native;
using LlmDistill.Gguf;

namespace LlmDistill.Native;

/// <summary>Options for <see cref="LlamaModel.CreateContext"/>; null keeps llama_context_default_params()'s value.</summary>
public sealed record LlamaContextOptions
{
    /// <summary>n_ctx: total KV cells shared by all sequences (0 = the model's training context).</summary>
    public uint? ContextSize { get; init; }
    /// <summary>n_batch: most tokens one llama_decode call accepts.</summary>
    public uint? BatchSize { get; init; }
    /// <summary>n_ubatch: physical batch size.</summary>
    public uint? MicroBatchSize { get; init; }
    /// <summary>n_seq_max: number of distinct sequences (seq ids 0..n-1).</summary>
    public uint? SequenceCount { get; init; }
    /// <summary>n_outputs_max: most output rows (tokens with logits) per ubatch (0 = n_batch).</summary>
    public uint? OutputsMax { get; init; }
    public int? Threads { get; init; }
    public int? BatchThreads { get; init; }
    /// <summary>KV cache element types (F32 for bit-parity tests; default F16).</summary>
    public GgmlType? TypeK { get; init; }
    public GgmlType? TypeV { get; init; }
    public LlamaFlashAttnType? FlashAttention { get; init; }
    /// <summary>One KV buffer shared by all sequences (helps when they share a prefix).</summary>
    public bool? KvUnified { get; init; }
    public bool? OffloadKqv { get; init; }
    public bool? Embeddings { get; init; }
    /// <summary>false = measure performance timings.</summary>
    public bool? NoPerf { get; init; }
    public bool? SwaFull { get; init; }

    /// <summary>Last-chance edit of LLamaSharp's struct (for fields not exposed above).</summary>
    public Func<LLamaContextParams, LLamaContextParams>? Customize { get; init; }

    public LLamaContextParams ToNative()
    {
        LLamaContextParams p = LLamaContextParams.Default();
        if (ContextSize is { } nCtx) p.n_ctx = nCtx;
        if (BatchSize is { } nBatch) p.n_batch = nBatch;
        if (MicroBatchSize is { } nUbatch) p.n_ubatch = nUbatch;
        if (SequenceCount is { } nSeq) p.n_seq_max = nSeq;
        if (OutputsMax is { } nOut) p.n_outputs_max = nOut;
        if (Threads is { } t) p.n_threads = t;
        if (BatchThreads is { } tb) p.n_threads_batch = tb;
        else if (Threads is { } t2) p.n_threads_batch = t2;
        if (TypeK is { } tk) p.type_k = (GGMLType)(int)tk;
        if (TypeV is { } tv) p.type_v = (GGMLType)(int)tv;
        if (FlashAttention is { } fa) p.llama_flash_attn_type = (LLamaFlashAttentionType)(int)fa;
        if (KvUnified is { } ku) p.kv_unified = ku;
        if (OffloadKqv is { } ok) p.offload_kqv = ok;
        if (Embeddings is { } e) p.embeddings = e;
        if (NoPerf is { } np) p.no_perf = np;
        if (SwaFull is { } sf) p.swa_full = sf;
        return Customize is null ? p : Customize(p);
    }
}
