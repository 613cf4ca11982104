namespace LlmDistill.Teacher;

/// <summary>How the batched generator uses llama.cpp.</summary>
public sealed record GeneratorOptions
{
    /// <summary>Sequences decoded together in one llama_batch (llama.cpp's n_seq_max).</summary>
    public int Parallel { get; init; } = 8;
    /// <summary>KV cells per sequence: prompt + completion must fit (the context holds Parallel × this).</summary>
    public int ContextPerSequence { get; init; } = 2048;
    /// <summary>Most tokens per llama_decode call (n_batch); long prompts are fed in chunks.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>How many of the teacher's most likely tokens to record per position (0 = only the sampled token).</summary>
    public int TopK { get; init; } = 20;
    /// <summary>Record log-probabilities at all (false: token ids only; the per-token distribution arrays stay empty).
    /// Benchmarks switch it off to measure what capture costs.</summary>
    public bool CaptureDistribution { get; init; } = true;
    /// <summary>CPU threads for llama.cpp (0 = one per core).</summary>
    public int Threads { get; init; } = 0;
    /// <summary>Keep generating past end-of-generation tokens (benchmarks want fixed lengths).</summary>
    public bool IgnoreEndOfGeneration { get; init; }
    /// <summary>KV cache in F32 instead of F16 (parity tests compare logits to 1e-3).</summary>
    public bool KvCacheF32 { get; init; }
}
