namespace LlmDistill.Native;

/// <summary>
/// An inference context (KV cache + compute buffers) over a <see cref="LlamaModel"/>. Not thread-safe.
/// Logit spans returned here point into llama.cpp memory and are valid until the next decode or disposal.
/// </summary>
public sealed unsafe class LlamaContext : IDisposable
{
    internal LlamaContext(LlamaModel model, LlamaContextOptions options)
    {
        model.ThrowIfDisposed();
        Model = model;
        long mark = LlamaLog.ErrorMark;
        Handle = SafeLlamaContextHandle.Create(model.Handle, options.ToNative());
        if (Handle.IsInvalid)
        {
            Handle.Dispose();
            throw new LlamaException(LlamaErrors.WithLog($"llama.cpp could not create a context for '{model.Path}' with {options}", mark));
        }
        VocabSize = model.Vocab.Count;
    }

    public LlamaModel Model { get; }
    public SafeLlamaContextHandle Handle { get; }
    public int VocabSize { get; }

    public uint ContextSize => LlamaNative.llama_n_ctx(Handle);
    public uint BatchSize => LlamaNative.llama_n_batch(Handle);
    public uint MicroBatchSize => LlamaNative.llama_n_ubatch(Handle);
    public uint SequenceCount => LlamaNative.llama_n_seq_max(Handle);

    /// <summary>Number of output rows of the last decode (tokens whose logits flag was set).</summary>
    public int LastOutputCount { get; private set; }

    public void SetThreads(int threads, int batchThreads) => LlamaNative.llama_set_n_threads(Handle, threads, batchThreads);

    /// <summary>Decodes a batch; throws <see cref="LlamaException"/> with the native code on failure.</summary>
    public void Decode(LlamaBatchBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Decode(batch.Native, batch.OutputCount);
    }

    /// <summary>Decodes tokens of sequence 0 at automatic positions (llama_batch_get_one); only the last token gets logits.</summary>
    public void Decode(ReadOnlySpan<int> tokens)
    {
        if (tokens.IsEmpty)
            throw new ArgumentException("No tokens to decode.", nameof(tokens));
        fixed (int* t = tokens)
            Decode(LlamaNative.llama_batch_get_one(t, tokens.Length), 1);
    }

    /// <summary>Decodes a raw batch; outputCount is recorded for <see cref="GetAllLogits"/>.</summary>
    public void Decode(LlamaBatch batch, int outputCount)
    {
        long mark = LlamaLog.ErrorMark;
        int rc = LlamaNative.llama_decode(Handle, batch);
        if (rc != 0)
        {
            LastOutputCount = 0;
            string what = rc switch
            {
                1 => $"no KV cache slot for the batch of {batch.n_tokens} tokens (n_ctx = {ContextSize}): reduce the batch, "
                     + "free sequences (RemoveSequence) or create the context with a larger ContextSize",
                2 => "decoding was aborted (processed ubatches remain in the KV cache)",
                -1 => "the batch is invalid (token id out of range, bad sequence id or position, or too many tokens for n_batch)",
                _ => "fatal error (processed ubatches remain in the KV cache)",
            };
            throw new LlamaException(LlamaErrors.WithLog($"llama_decode returned {rc}: {what}", mark), rc);
        }
        LastOutputCount = outputCount;
    }

    /// <summary>Encodes a batch (encoder-decoder models).</summary>
    public void Encode(LlamaBatchBuffer batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        long mark = LlamaLog.ErrorMark;
        int rc = LlamaNative.llama_encode(Handle, batch.Native);
        if (rc != 0)
            throw new LlamaException(LlamaErrors.WithLog($"llama_encode returned {rc}", mark), rc);
    }

    /// <summary>n_vocab logits for batch index i of the last decode (negative: from the end).</summary>
    public ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        float* p = LlamaNative.llama_get_logits_ith(Handle, batchIndex);
        if (p is null)
            throw new LlamaException($"No logits for batch index {batchIndex}: set the token's logits flag before decoding.");
        return new ReadOnlySpan<float>(p, VocabSize);
    }

    /// <summary>All output rows of the last decode, row-major [LastOutputCount, n_vocab], in batch order.</summary>
    public ReadOnlySpan<float> GetAllLogits()
    {
        float* p = LlamaNative.llama_get_logits(Handle);
        if (p is null || LastOutputCount == 0)
            return ReadOnlySpan<float>.Empty;
        return new ReadOnlySpan<float>(p, checked(LastOutputCount * VocabSize));
    }

    public void Synchronize() => LlamaNative.llama_synchronize(Handle);

    // ---- memory (KV cache) ----

    private IntPtr Memory
    {
        get
        {
            IntPtr m = LlamaNative.llama_get_memory(Handle);
            if (m == IntPtr.Zero)
                throw new LlamaException("This context has no memory (KV cache).");
            return m;
        }
    }

    /// <summary>Empties the KV cache; data: also zero the buffers.</summary>
    public void ClearMemory(bool data = true) { LlamaNative.llama_memory_clear(Memory, data); GC.KeepAlive(Handle); }

    /// <summary>Removes positions [p0, p1) of a sequence (seqId -1: all; p &lt; 0: open end). False if a partial removal is not possible.</summary>
    public bool RemoveSequence(int seqId, int p0 = -1, int p1 = -1)
    {
        bool ok = LlamaNative.llama_memory_seq_rm(Memory, seqId, p0, p1);
        GC.KeepAlive(Handle);
        return ok;
    }

    /// <summary>Makes positions [p0, p1) of src also belong to dst (unified KV: shares cells; otherwise copies the stream).</summary>
    public void CopySequence(int srcSeqId, int dstSeqId, int p0 = -1, int p1 = -1)
    {
        LlamaNative.llama_memory_seq_cp(Memory, srcSeqId, dstSeqId, p0, p1);
        GC.KeepAlive(Handle);
    }

    /// <summary>Removes every sequence except seqId (with KvUnified = false llama.cpp only clears seqId's own cell stream).</summary>
    public void KeepSequence(int seqId) { LlamaNative.llama_memory_seq_keep(Memory, seqId); GC.KeepAlive(Handle); }

    /// <summary>Largest position in the sequence, -1 if empty.</summary>
    public int SequencePositionMax(int seqId) { int p = LlamaNative.llama_memory_seq_pos_max(Memory, seqId); GC.KeepAlive(Handle); return p; }

    /// <summary>Smallest position in the sequence, -1 if empty.</summary>
    public int SequencePositionMin(int seqId) { int p = LlamaNative.llama_memory_seq_pos_min(Memory, seqId); GC.KeepAlive(Handle); return p; }

    // ---- perf ----

    /// <summary>Timings (create the context with NoPerf = false).</summary>
    public LlamaPerfContextData Perf => LlamaNative.llama_perf_context(Handle);
    public void ResetPerf() => LlamaNative.llama_perf_context_reset(Handle);

    public void Dispose() => Handle.Dispose();
}
