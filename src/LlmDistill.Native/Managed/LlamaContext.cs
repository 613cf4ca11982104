using LLama.Exceptions;
using LLama.Native;

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
        try
        {
            Handle = SafeLLamaContextHandle.Create(model.Handle, options.ToNative());
        }
        catch (RuntimeError)
        {
            throw new LlamaException(LlamaErrors.WithLog($"llama.cpp could not create a context for '{model.Path}' with {options}", mark));
        }
        VocabSize = model.Vocab.Count;
        if (model.Adapters.Count > 0)
        {
            var adapters = model.Adapters.Select(a => (a.Adapter, a.Scale)).ToArray();
            Handle.SetLoraAdapters(adapters);
        }
    }

    public LlamaModel Model { get; }
    public SafeLLamaContextHandle Handle { get; }
    public int VocabSize { get; }

    public uint ContextSize => Handle.ContextSize;
    public uint BatchSize => Handle.BatchSize;
    public uint MicroBatchSize => Handle.UBatchSize;
    public uint SequenceCount => Handle.MaxSeq;

    /// <summary>Number of output rows of the last decode (tokens whose logits flag was set).</summary>
    public int LastOutputCount { get; private set; }

    public void SetThreads(int threads, int batchThreads)
    {
        Handle.GenerationThreads = threads;
        Handle.BatchThreads = batchThreads;
    }

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

    /// <summary>
    /// Decodes a raw batch; outputCount is recorded for <see cref="GetAllLogits"/>. Calls llama_decode directly, not
    /// through LLamaSharp's Decode, which serialises every context of the process on one lock and pins per call.
    /// </summary>
    public void Decode(LLamaNativeBatch batch, int outputCount)
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

    /// <summary>n_vocab logits for batch index i of the last decode (negative: from the end).</summary>
    public ReadOnlySpan<float> GetLogits(int batchIndex)
    {
        try
        {
            return Handle.GetLogitsIth(batchIndex);
        }
        catch (GetLogitsInvalidIndexException)
        {
            throw new LlamaException($"No logits for batch index {batchIndex}: set the token's logits flag before decoding.");
        }
    }

    /// <summary>All output rows of the last decode, row-major [LastOutputCount, n_vocab], in batch order.</summary>
    public ReadOnlySpan<float> GetAllLogits() =>
        LastOutputCount == 0 ? ReadOnlySpan<float>.Empty : Handle.GetLogits(LastOutputCount);

    public void Synchronize() => Handle.Synchronize();

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
    public void ClearMemory(bool data = true) => Handle.MemoryClear(data);

    /// <summary>Removes positions [p0, p1) of a sequence (seqId -1: all; p &lt; 0: open end). False if a partial removal is not possible.</summary>
    public bool RemoveSequence(int seqId, int p0 = -1, int p1 = -1)
    {
        bool ok = NativeApi.llama_memory_seq_rm(Memory, (LLamaSeqId)seqId, (LLamaPos)p0, (LLamaPos)p1);
        GC.KeepAlive(Handle);
        return ok;
    }

    /// <summary>Makes positions [p0, p1) of src also belong to dst (unified KV: shares cells; otherwise copies the stream).</summary>
    public void CopySequence(int srcSeqId, int dstSeqId, int p0 = -1, int p1 = -1) =>
        Handle.MemorySequenceCopy((LLamaSeqId)srcSeqId, (LLamaSeqId)dstSeqId, (LLamaPos)p0, (LLamaPos)p1);

    /// <summary>Removes every sequence except seqId (with KvUnified = false llama.cpp only clears seqId's own cell stream).</summary>
    public void KeepSequence(int seqId) => Handle.MemorySequenceKeep((LLamaSeqId)seqId);

    /// <summary>Largest position in the sequence, -1 if empty.</summary>
    public int SequencePositionMax(int seqId) => Handle.MemorySequenceMaxPosition((LLamaSeqId)seqId).Value;

    /// <summary>Smallest position in the sequence, -1 if empty.</summary>
    public int SequencePositionMin(int seqId) => Handle.MemorySequenceMinPosition((LLamaSeqId)seqId).Value;

    public void Dispose() => Handle.Dispose();
}
