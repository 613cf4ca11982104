using System.Diagnostics;
using LlmDistill.Native;
using LlmDistill.Teacher;

namespace LlmDistill.Scoring;

/// <summary>
/// Given token ids to score: the teacher reads <see cref="Prompt"/> then <see cref="Completion"/>. With
/// <see cref="AtIds"/> (row-major [n × K], e.g. the student's own top-k at each of its sampled tokens) the teacher's
/// log-probabilities are read at those ids instead of at its own top-k (what reverse KL needs: the teacher's p on the
/// student's support, docs/on-policy.md).
/// </summary>
internal sealed record ForcedRow(long Index, int[] Prompt, int[] Completion, int[]? AtIds = null);

/// <summary>
/// The teacher's distribution at every completion token of a <see cref="ForcedRow"/>, as <see cref="Teacher.Completion"/>
/// holds it: per-token arrays [n], top-k arrays row-major [n × TopK]; <see cref="Error"/> says why a row was not scored.
/// </summary>
internal sealed record ForcedScores(long Index, int TopK, float[] SampledLogprobs, int[] TopIds, float[] TopLogprobs, float[] TailMass, string? Error = null);

/// <summary>
/// Teacher forcing for many rows at once: prompt + completion tokens of several rows are packed into each llama_batch
/// (one sequence per row, n_batch = n_ubatch tokens, a row may continue into the next batch), logits are requested only
/// at the positions that predict a completion token, and a row's KV cells are freed as soon as its last token is read.
/// The KV cache is unified, so llama.cpp splits a batch into micro-batches by token count (split_simple), not into
/// equal shares per sequence: packing rows of any lengths costs no extra passes. This is prompt processing with the
/// outputs kept, i.e. what llama-batched-bench's PP rate measures.
/// </summary>
internal sealed class TeacherForcing : IForcedScorer
{
    /// <summary>Tokens per llama_decode and per micro-batch (llama.cpp's default n_batch; larger runs slower on CPU).</summary>
    public const int BatchTokens = 512;

    readonly GgufModel _teacher;
    readonly LlamaContext _context;
    readonly LlamaBatchBuffer _batch = new(BatchTokens);
    readonly int _sequences, _contextPerSequence, _topK;

    public TeacherForcing(GgufModel teacher, EngineOptions engine, int topK)
    {
        if (topK < 1 || topK > teacher.VocabSize) throw new ArgumentException($"top-k must be in 1..{teacher.VocabSize} (got {topK})");
        _teacher = teacher;
        _sequences = engine.Parallel;
        _contextPerSequence = engine.ContextPerSequence;
        _topK = topK;
        int threads = engine.Threads > 0 ? engine.Threads : Environment.ProcessorCount;
        _context = teacher.Model.CreateContext(new LlamaContextOptions
        {
            // Rows in flight never hold more than their own tokens; a batch adds at most BatchTokens cells.
            ContextSize = (uint)(_sequences * _contextPerSequence + BatchTokens), SequenceCount = (uint)_sequences,
            BatchSize = BatchTokens, MicroBatchSize = BatchTokens, KvUnified = true,
            Threads = threads, BatchThreads = threads, NoPerf = true,
        });
    }

    /// <inheritdoc/>
    public long DecodedTokens { get; private set; }
    /// <inheritdoc/>
    public TimeSpan LlamaDecode { get; private set; }

    /// <summary>Why a row cannot be scored (null when it can): ids outside the vocabulary, no prompt, longer than a sequence's cells.</summary>
    public string? Problem(ForcedRow row) => Problem(row, _topK);

    /// <summary>Why a row cannot be scored with <paramref name="topK"/> alternatives per token (null when it can).</summary>
    public string? Problem(ForcedRow row, int topK)
    {
        if (row.Prompt.Length == 0) return "the row has no prompt tokens, so nothing predicts its first completion token";
        if (row.Prompt.Length + row.Completion.Length - 1 > _contextPerSequence)
            return $"prompt + completion ({row.Prompt.Length} + {row.Completion.Length} tokens) exceed the {_contextPerSequence} cells per sequence";
        int vocab = _teacher.VocabSize;
        foreach (int id in row.Prompt) if ((uint)id >= (uint)vocab) return $"token id {id} is outside the teacher's vocabulary of {vocab}";
        foreach (int id in row.Completion) if ((uint)id >= (uint)vocab) return $"token id {id} is outside the teacher's vocabulary of {vocab}";
        if (row.AtIds is { } at)
        {
            if (at.Length != row.Completion.Length * topK)
                return $"the row gives {at.Length} ids to score at, not {topK} for each of its {row.Completion.Length} completion tokens";
            foreach (int id in at) if ((uint)id >= (uint)vocab) return $"top-k id {id} is outside the teacher's vocabulary of {vocab}";
        }
        return null;
    }

    /// <summary>
    /// Scores every row, yielding each as soon as its last token is read (rows are packed in order, so they come back in
    /// order, except that rows without completion tokens, returned empty, and rows with a <see cref="Problem(ForcedRow, int)"/>, returned
    /// with it, come back at once).
    /// </summary>
    public IEnumerable<ForcedScores> Score(IEnumerable<ForcedRow> rows, CancellationToken cancel = default) => Score(rows, _topK, cancel);

    /// <summary>As <see cref="Score(IEnumerable{ForcedRow}, CancellationToken)"/>, with <paramref name="topK"/> alternatives per token instead of the constructor's.</summary>
    public IEnumerable<ForcedScores> Score(IEnumerable<ForcedRow> rows, int topK, CancellationToken cancel = default)
    {
        if (topK < 1 || topK > _teacher.VocabSize) throw new ArgumentException($"top-k must be in 1..{_teacher.VocabSize} (got {topK})");
        DecodedTokens = 0;
        LlamaDecode = TimeSpan.Zero;
        _context.ClearMemory(data: false);
        var free = new Stack<int>(Enumerable.Range(0, _sequences).Reverse());
        var active = new List<InFlight>();
        var outputs = new List<(InFlight Row, int Token)>();
        using var pending = rows.GetEnumerator();
        bool more = true;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            _batch.Clear();
            outputs.Clear();
            foreach (var row in active) Fill(row, outputs);
            while (_batch.Count < BatchTokens && free.Count > 0 && (more = more && pending.MoveNext()))
            {
                var row = pending.Current;
                string? problem = Problem(row, topK);
                if (row.Completion.Length == 0 || problem is not null) { yield return new ForcedScores(row.Index, topK, [], [], [], [], problem); continue; }
                var started = new InFlight(row, free.Pop(), topK);
                active.Add(started);
                Fill(started, outputs);
            }
            if (_batch.Count == 0) break;

            long start = Stopwatch.GetTimestamp();
            _context.Decode(_batch);
            _context.Synchronize();
            LlamaDecode += Stopwatch.GetElapsedTime(start);
            DecodedTokens += _batch.Count;
            Capture(outputs, topK);

            for (int i = 0; i < active.Count; i++)
            {
                var row = active[i];
                if (row.Fed < row.Length) continue;
                _context.RemoveSequence(row.SequenceId);
                free.Push(row.SequenceId);
                active.RemoveAt(i--);
                yield return row.Scores;
            }
        }
    }

    /// <summary>Adds as many of the row's remaining tokens as the batch holds; the logits at position p predict token p + 1.</summary>
    void Fill(InFlight row, List<(InFlight Row, int Token)> outputs)
    {
        int promptLength = row.Row.Prompt.Length;
        for (; row.Fed < row.Length && _batch.Count < BatchTokens; row.Fed++)
        {
            int p = row.Fed;
            int token = p < promptLength ? row.Row.Prompt[p] : row.Row.Completion[p - promptLength];
            bool predictsCompletion = p >= promptLength - 1;
            _batch.Add(token, p, row.SequenceId, predictsCompletion);
            if (predictsCompletion) outputs.Add((row, p - (promptLength - 1)));
        }
    }

    /// <summary>Top-k, tail mass and the given token's log-probability at every output; rows of logits come in batch order.</summary>
    unsafe void Capture(List<(InFlight Row, int Token)> outputs, int topK)
    {
        ReadOnlySpan<float> all = _context.GetAllLogits();
        int vocab = _teacher.VocabSize;
        if (all.Length != outputs.Count * vocab) throw new InvalidOperationException($"llama.cpp returned {all.Length / vocab} logit rows for {outputs.Count} requested");
        fixed (float* logits = all)
        {
            nint basePointer = (nint)logits;
            void One(int i)
            {
                var (row, t) = outputs[i];
                var scores = row.Scores;
                var rowLogits = new ReadOnlySpan<float>((float*)basePointer + (long)i * vocab, vocab);
                var logprobs = scores.TopLogprobs.AsSpan(t * topK, topK);
                var ids = scores.TopIds.AsSpan(t * topK, topK);
                float logSumExp = row.Row.AtIds is { } at ? AtGivenIds(rowLogits, at.AsSpan(t * topK, topK), ids, logprobs)
                    : TopKLogprobs.Capture(rowLogits, ids, logprobs);
                scores.TailMass[t] = TopKLogprobs.TailMass(logprobs);
                scores.SampledLogprobs[t] = rowLogits[row.Row.Completion[t]] - logSumExp;
            }
            if ((long)outputs.Count * vocab < BatchedGenerator.ParallelChooseMinLogits)
                for (int i = 0; i < outputs.Count; i++) One(i);
            else Parallel.For(0, outputs.Count, One);
        }
    }

    /// <summary>
    /// The teacher's log-probabilities at <paramref name="given"/> ids, written with their ids in descending order of
    /// log-probability (the trace schema stores each row descending; which ids, not their order, is what the loss reads).
    /// </summary>
    /// <returns>log Σ_v exp(logits[v])</returns>
    static float AtGivenIds(ReadOnlySpan<float> logits, ReadOnlySpan<int> given, Span<int> ids, Span<float> logprobs)
    {
        float logSumExp = TopKLogprobs.LogSumExp(logits);
        given.CopyTo(ids);
        for (int j = 0; j < ids.Length; j++) logprobs[j] = logits[ids[j]] - logSumExp;
        // Descending by log-probability, ties by lower id: insertion sort of k (≤ a few dozen) pairs.
        for (int j = 1; j < ids.Length; j++)
        {
            (int id, float lp) = (ids[j], logprobs[j]);
            int i = j - 1;
            for (; i >= 0 && (logprobs[i] < lp || (logprobs[i] == lp && ids[i] > id)); i--) (ids[i + 1], logprobs[i + 1]) = (ids[i], logprobs[i]);
            (ids[i + 1], logprobs[i + 1]) = (id, lp);
        }
        return logSumExp;
    }

    public void Dispose()
    {
        _batch.Dispose();
        _context.Dispose();
    }

    /// <summary>A row being read: its sequence, how many of its tokens are in the KV cache, and its scores so far.</summary>
    sealed class InFlight(ForcedRow row, int sequenceId, int topK)
    {
        public ForcedRow Row { get; } = row;
        public int SequenceId { get; } = sequenceId;
        /// <summary>Tokens the teacher reads: the prompt and every completion token but the last (nothing follows it).</summary>
        public int Length { get; } = row.Prompt.Length + row.Completion.Length - 1;
        public int Fed;
        public ForcedScores Scores { get; } = new(row.Index, topK, new float[row.Completion.Length], new int[row.Completion.Length * topK],
            new float[row.Completion.Length * topK], new float[row.Completion.Length]);
    }
}
