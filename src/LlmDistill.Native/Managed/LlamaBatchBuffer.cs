using LLama.Native;

namespace LlmDistill.Native;

/// <summary>
/// A native llama_batch (LLamaSharp's <see cref="LLamaNativeBatch"/>) from llama_batch_init, kept across decodes (no per-call pinning) (token ids, one or more sequence ids per token), filled with
/// <see cref="Add(int,int,int,bool)"/> and passed to <see cref="LlamaContext.Decode(LlamaBatchBuffer)"/>.
/// </summary>
public sealed unsafe class LlamaBatchBuffer : IDisposable
{
    private LLamaNativeBatch _batch;
    private bool _disposed;

    public LlamaBatchBuffer(int capacity, int maxSequencesPerToken = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxSequencesPerToken);
        LlamaBackend.EnsureInitialized();
        _batch = NativeApi.llama_batch_init(capacity, 0, maxSequencesPerToken);
        if (_batch.tokens is null)
            throw new OutOfMemoryException($"llama_batch_init({capacity}) failed.");
        Capacity = capacity;
        MaxSequencesPerToken = maxSequencesPerToken;
    }

    public int Capacity { get; }
    public int MaxSequencesPerToken { get; }
    public int Count => _batch.n_tokens;

    /// <summary>Number of tokens whose logits flag is set.</summary>
    public int OutputCount
    {
        get
        {
            int n = 0;
            for (int i = 0; i < _batch.n_tokens; i++)
                if (_batch.logits[i] != 0)
                    n++;
            return n;
        }
    }

    /// <summary>The native struct (its arrays belong to this object).</summary>
    public LLamaNativeBatch Native
    {
        get { ObjectDisposedException.ThrowIf(_disposed, this); return _batch; }
    }

    public void Clear() => _batch.n_tokens = 0;

    /// <summary>Appends a token at position pos of sequence seqId; logits: produce logits for it. Returns its batch index.</summary>
    public int Add(int token, int pos, int seqId, bool logits)
    {
        ReadOnlySpan<int> one = [seqId];
        return Add(token, pos, one, logits);
    }

    /// <summary>Appends a token that belongs to several sequences (shared prefix). Returns its batch index.</summary>
    public int Add(int token, int pos, ReadOnlySpan<int> seqIds, bool logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int i = _batch.n_tokens;
        if (i >= Capacity)
            throw new InvalidOperationException($"The batch is full ({Capacity} tokens).");
        if (seqIds.Length == 0 || seqIds.Length > MaxSequencesPerToken)
            throw new ArgumentException($"A token needs 1..{MaxSequencesPerToken} sequence ids.", nameof(seqIds));
        // LLamaToken, LLamaPos and LLamaSeqId are one int each, as in llama.h.
        ((int*)_batch.tokens)[i] = token;
        ((int*)_batch.pos)[i] = pos;
        _batch.n_seq_id[i] = seqIds.Length;
        int* seqs = (int*)_batch.seq_id[i];
        for (int s = 0; s < seqIds.Length; s++)
            seqs[s] = seqIds[s];
        _batch.logits[i] = logits ? (byte)1 : (byte)0;
        _batch.n_tokens = i + 1;
        return i;
    }

    /// <summary>Sets or clears the logits flag of an already added token.</summary>
    public void SetLogits(int index, bool logits)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((uint)index >= (uint)_batch.n_tokens)
            throw new ArgumentOutOfRangeException(nameof(index));
        _batch.logits[index] = logits ? (byte)1 : (byte)0;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        NativeApi.llama_batch_free(_batch);
        _batch = default;
        GC.SuppressFinalize(this);
    }

    ~LlamaBatchBuffer()
    {
        if (!_disposed)
            NativeApi.llama_batch_free(_batch);
    }
}
