using LlmDistill.Gguf;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using LlmDistill.Native;

namespace LlmDistill.Teacher;

/// <summary>Receives the raw logits of every generated position (tests compare captured top-k against them).</summary>
public delegate void LogitsObserver(long requestIndex, int step, ReadOnlySpan<float> logits);

/// <summary>
/// Counters of one <see cref="BatchedGenerator.Generate"/> run. PromptTokens: prompt tokens decoded; LlamaDecode: the part
/// of Wall spent inside llama_decode; PaddingTokens: throwaway tokens decoded to keep prompts of different lengths in one
/// micro-batch (not in PromptTokens); CachedPromptTokens: prompt tokens whose KV cells were copied from another sequence
/// (a shared prefix, or the prompt cache of <see cref="BatchedGenerator.Serve"/>) instead of decoded (not in PromptTokens).
/// </summary>
public sealed record GenerationStats(long PromptTokens, long GeneratedTokens, int DecodeCalls, TimeSpan Wall, TimeSpan LlamaDecode, long PaddingTokens,
    long CachedPromptTokens = 0);

/// <summary>
/// Continuous batching over one llama.cpp context: up to <see cref="GeneratorOptions.Parallel"/> sequences share
/// each llama_batch. Every step adds one token for each decoding sequence, then fills the rest of the batch with
/// prompt tokens of sequences still reading their prompt. A finished sequence frees its KV cells
/// (llama_memory_seq_rm; with <see cref="Serve"/>'s prompt cache they stay until the slot is reused) and its slot takes
/// the next request at once.
/// </summary>
public sealed partial class BatchedGenerator : ICompletionEngine
{
    readonly GgufModel _teacher;
    readonly GeneratorOptions _options;
    readonly LlamaContext _context;
    readonly LlamaBatchBuffer _batch;
    readonly int _contextPerSequence;
    readonly int _microBatchSize;

    public BatchedGenerator(GgufModel teacher, GeneratorOptions? options = null)
    {
        _teacher = teacher;
        _options = options ?? new GeneratorOptions();
        if (_options.Parallel < 1) throw new ArgumentException($"parallel sequences must be at least 1 (got {_options.Parallel})");
        if (_options.TopK < 0 || _options.TopK > teacher.VocabSize) throw new ArgumentException($"top-k must be in 0..{teacher.VocabSize} (got {_options.TopK})");
        int threads = _options.Threads > 0 ? _options.Threads : Environment.ProcessorCount;
        int batchSize = Math.Max(_options.BatchSize, _options.Parallel);
        _microBatchSize = Math.Min(batchSize, 512); // llama.cpp's default physical batch; larger ones run slower on CPU
        _context = teacher.Model.CreateContext(new LlamaContextOptions
        {
            // One extra sequence holds a shared prompt prefix whose KV cells are copied into each new request.
            ContextSize = (uint)((_options.Parallel + 1) * _options.ContextPerSequence),
            SequenceCount = (uint)(_options.Parallel + 1),
            BatchSize = (uint)batchSize,
            MicroBatchSize = (uint)_microBatchSize,
            KvUnified = false,
            Threads = threads,
            BatchThreads = threads,
            TypeK = _options.KvCacheF32 ? GgmlType.F32 : null,
            TypeV = _options.KvCacheF32 ? GgmlType.F32 : null,
            NoPerf = false,
        });
        _contextPerSequence = (int)(_context.ContextSize / _context.SequenceCount);
        _batch = new LlamaBatchBuffer(batchSize);
        _retained = new int[]?[_options.Parallel];
    }

    /// <summary>Counters of the last run; while <see cref="Serve"/> runs, of the run so far (updated after every decode).</summary>
    public GenerationStats? LastStats { get; private set; }

    /// <summary>Raw logits of every generated position, for tests and diagnostics; null = none.</summary>
    public LogitsObserver? Observer { get; set; }

    /// <summary>
    /// Completes every request, yielding each completion as soon as it finishes (not in request order).
    /// Cancellation stops between two decode steps; unfinished sequences are dropped.
    /// </summary>
    /// <param name="sharedPrefix">
    /// Leading prompt tokens many requests share (a few-shot prompt): decoded once into a reserved sequence, then its
    /// KV cells are copied (llama_memory_seq_cp) into each request that starts with it, which then decodes only its
    /// own suffix. Requests that do not start with it are decoded whole.
    /// </param>
    public IEnumerable<Completion> Generate(IEnumerable<GenerationRequest> requests, CancellationToken cancel = default, int[]? sharedPrefix = null)
    {
        using var pending = requests.GetEnumerator();
        foreach (var completion in Run((bool _, out GenerationRequest? request) =>
                 {
                     request = pending.MoveNext() ? pending.Current : null;
                     return request is not null;
                 }, cancel, sharedPrefix ?? [], promptCache: false))
            yield return completion;
    }

    /// <summary>
    /// Serves a live queue (continuous batching across independent callers, as a server needs): requests are taken
    /// whenever a slot is free, without waiting while other sequences are decoding, and the call blocks only when
    /// nothing is in flight. Ends when the queue is completed and every request taken is finished, or on cancel.
    /// </summary>
    /// <param name="promptCache">
    /// Reuse prompt prefixes across requests, as a few-shot prompt or a chat history repeats them: a request admitted
    /// takes the KV cells of the longest prefix its prompt shares with a sequence in flight or a finished one (whose cells
    /// stay until its slot is reused), and waits for a sequence still reading a long shared prefix rather than decoding it
    /// a second time. false: every prompt is decoded whole.
    /// </param>
    public IEnumerable<Completion> Serve(ChannelReader<GenerationRequest> queue, bool promptCache, CancellationToken cancel = default) =>
        Run((bool idle, out GenerationRequest? request) =>
        {
            if (queue.TryRead(out request)) return true;
            if (!idle) return true; // nothing now; more may come while the others decode
            try
            {
                if (!queue.WaitToReadAsync(cancel).AsTask().GetAwaiter().GetResult()) return false; // completed
            }
            catch (OperationCanceledException)
            {
                return true; // the loop's own check ends the run
            }
            queue.TryRead(out request);
            return true;
        }, cancel, [], promptCache);

    /// <summary>Next request for a free slot: false when there will never be another; request null when none is ready now.
    /// idle: no sequence is in flight, so the source may block until one arrives.</summary>
    delegate bool NextRequest(bool idle, out GenerationRequest? request);

    IEnumerable<Completion> Run(NextRequest next, CancellationToken cancel, int[] sharedPrefix, bool promptCache)
    {
        var clock = Stopwatch.StartNew();
        long generated = 0;
        int decodeCalls = 0;
        _decodeTicks = _paddingTokens = _promptTokens = _cachedPromptTokens = 0;
        _promptCache = promptCache;
        Array.Clear(_retained);
        // Metadata only: a cell is always written before it is read, so zeroing the buffers (~100 MB for 16 × 512
        // cells of a 0.5B model) would be wasted time.
        _context.ClearMemory(data: false);
        int prefixLength = DecodeSharedPrefix(sharedPrefix, ref decodeCalls);
        var slots = new Slot?[_options.Parallel];
        bool more = true;
        var finished = new List<Completion>();
        try
        {
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                // Before new requests can take their slots: waiters whose source finished copy its retained cells.
                ResolveWaiters(slots);
                for (int s = 0; s < slots.Length && more; s++)
                {
                    while (slots[s] is null && (more = next(slots.All(x => x is null), out var request)) && request is not null)
                    {
                        string? problem = Check(request);
                        if (problem is not null) { yield return Completion.Failed(request.Index, request.PromptTokens.Length, _options.TopK, problem); continue; }
                        var slot = new Slot(s, request, _options.CaptureDistribution ? _options.TopK : 0);
                        slots[s] = slot;
                        if (promptCache) Admit(slot, slots);
                        else if (prefixLength > 0 && StartsWith(request.PromptTokens, sharedPrefix, prefixLength))
                        {
                            _context.CopySequence(PrefixSequence, s);
                            slot.PromptFed = slot.Position = prefixLength;
                            _cachedPromptTokens += prefixLength;
                        }
                    }
                }
                // A caller that gave up (a closed connection) frees its slot before the next decode.
                foreach (var slot in slots)
                    if (slot is not null && slot.Request.Cancel.IsCancellationRequested) finished.Add(Free(slot, FinishReason.Cancelled));
                ResolveWaiters(slots);
                foreach (var done in finished) yield return done;
                finished.Clear();
                if (slots.All(s => s is null))
                {
                    if (!more) break;
                    continue;
                }

                FillBatch(slots);
                Decode();
                decodeCalls++;
                RemovePadding(slots);

                var ready = slots.Where(s => s is { OutputRow: >= 0 }).Select(s => s!).ToArray();
                ChooseTokens(ready);
                foreach (var slot in ready)
                {
                    generated++;
                    if (Advance(slot, slots) is Completion done) finished.Add(done);
                }
                LastStats = Stats();
                foreach (var done in finished) yield return done;
                finished.Clear();
            }
        }
        finally
        {
            LastStats = Stats();
        }

        GenerationStats Stats() => new(_promptTokens, generated, decodeCalls, clock.Elapsed, Stopwatch.GetElapsedTime(0, _decodeTicks), _paddingTokens, _cachedPromptTokens);

        Completion Free(Slot slot, FinishReason reason)
        {
            Release(slot);
            slots[slot.SequenceId] = null;
            return slot.Finish(reason);
        }
    }

    long _decodeTicks, _paddingTokens, _promptTokens, _cachedPromptTokens;

    /// <summary>Decodes the batch, adding the time inside llama.cpp to the run's <see cref="GenerationStats.LlamaDecode"/>.</summary>
    void Decode()
    {
        long start = Stopwatch.GetTimestamp();
        _context.Decode(_batch);
        _decodeTicks += Stopwatch.GetTimestamp() - start;
    }

    int PrefixSequence => _options.Parallel;

    internal const long ParallelChooseMinLogits = 1 << 20;

    /// <summary>Decodes the shared prefix into the reserved sequence; returns how many tokens requests can reuse (0 = none).</summary>
    int DecodeSharedPrefix(int[] prefix, ref int decodeCalls)
    {
        // A request needs at least one token of its own to produce logits, so the prefix is never a whole prompt.
        if (prefix.Length == 0 || prefix.Length >= _contextPerSequence - 1) return 0;
        foreach (int token in prefix)
            if ((uint)token >= (uint)_teacher.VocabSize) throw new ArgumentException($"shared prefix token id {token} is outside the vocabulary (0..{_teacher.VocabSize - 1})");
        for (int start = 0; start < prefix.Length; start += _batch.Capacity)
        {
            _batch.Clear();
            for (int i = start; i < Math.Min(prefix.Length, start + _batch.Capacity); i++) _batch.Add(prefix[i], i, PrefixSequence, logits: false);
            Decode();
            decodeCalls++;
        }
        _promptTokens += prefix.Length;
        return prefix.Length;
    }

    static bool StartsWith(int[] prompt, int[] prefix, int length) =>
        prompt.Length > length && prompt.AsSpan(0, length).SequenceEqual(prefix.AsSpan(0, length));

    string? Check(GenerationRequest request)
    {
        if (request.PromptTokens.Length == 0) return "the prompt is empty";
        if (request.MaxTokens < 1) return $"max tokens must be at least 1 (got {request.MaxTokens})";
        if (request.PromptTokens.Length >= _contextPerSequence)
            return $"the prompt has {request.PromptTokens.Length} tokens but the context holds {_contextPerSequence} per sequence";
        foreach (int token in request.PromptTokens)
            if ((uint)token >= (uint)_teacher.VocabSize) return $"prompt token id {token} is outside the vocabulary (0..{_teacher.VocabSize - 1})";
        return null;
    }

    /// <summary>One token per decoding slot first (they are latency-critical), then prompt chunks while room remains.</summary>
    void FillBatch(Slot?[] slots)
    {
        _batch.Clear();
        foreach (var slot in slots)
        {
            if (slot is null) continue;
            slot.OutputRow = -1;
            if (slot.IsDecoding) slot.OutputRow = _batch.Add(slot.NextToken, slot.Position++, slot.SequenceId, logits: true);
        }
        foreach (var slot in slots)
        {
            if (slot is null || slot.IsDecoding) continue;
            int[] prompt = slot.Request.PromptTokens;
            slot.PromptInBatch = 0;
            if (slot.WaitingFor is not null) continue; // another sequence is decoding the prefix it will copy
            while (slot.PromptFed < prompt.Length && _batch.Count < _batch.Capacity)
            {
                bool last = slot.PromptFed == prompt.Length - 1;
                int row = _batch.Add(prompt[slot.PromptFed++], slot.Position++, slot.SequenceId, logits: last);
                slot.PromptInBatch++;
                _promptTokens++;
                if (last) slot.OutputRow = row;
            }
        }
        PadPrompts(slots);
    }

    /// <summary>
    /// How many padding tokens one avoided micro-batch is worth: on a CPU a micro-batch costs a pass over the weights
    /// (~60-75 ms for a 0.5B Q8_0 model on 2 cores) plus ~4.7 ms per token, so 13-16 tokens.
    /// </summary>
    const int PaddingPerAvoidedMicroBatch = 16;

    /// <summary>
    /// With one KV stream per sequence llama.cpp splits a batch into micro-batches holding the same number of tokens
    /// of each sequence (llama_batch_allocr::split_equal), so prompts of different lengths read together (the
    /// per-question suffixes after a shared prefix) cost one pass over the weights per distinct length. Padding the
    /// shorter ones to the longest, with throwaway tokens after their last real one, keeps them in one micro-batch;
    /// no real token attends to a pad (they come later), and <see cref="RemovePadding"/> frees their cells after the decode.
    /// </summary>
    void PadPrompts(Slot?[] slots)
    {
        var reading = slots.Where(s => s is { IsDecoding: false, PromptInBatch: > 0 }).Select(s => s!).ToArray();
        if (reading.Length < 2) return;
        int longest = reading.Max(s => s.PromptInBatch);
        int padding = reading.Sum(s => longest - s.PromptInBatch);
        int avoided = reading.Select(s => s.PromptInBatch).Distinct().Count() - 1; // at least; split_equal also cuts at finished sequences
        if (padding == 0 || padding > PaddingPerAvoidedMicroBatch * avoided) return;
        if (_batch.Count + padding > Math.Min(_batch.Capacity, _microBatchSize)) return;
        if (reading.Any(s => s.Position + longest - s.PromptInBatch > _contextPerSequence)) return;
        _paddingTokens += padding;
        foreach (var slot in reading.Where(s => s.PromptInBatch < longest))
        {
            slot.PaddedFrom = slot.Position;
            int filler = slot.Request.PromptTokens[slot.PromptFed - 1];
            for (int i = slot.PromptInBatch; i < longest; i++) _batch.Add(filler, slot.Position + i - slot.PromptInBatch, slot.SequenceId, logits: false);
        }
    }

    /// <summary>Frees the KV cells of the padding tokens <see cref="PadPrompts"/> added, so the next real token takes their place.</summary>
    void RemovePadding(Slot?[] slots)
    {
        foreach (var slot in slots)
        {
            if (slot is not { PaddedFrom: >= 0 }) continue;
            _context.RemoveSequence(slot.SequenceId, slot.PaddedFrom);
            slot.PaddedFrom = -1;
        }
    }

    /// <summary>
    /// Records each ready sequence's soft targets and samples its next token. Logit rows are fetched one by one
    /// (llama_get_logits_ith is not thread-safe), then the per-sequence work, a few passes over the vocabulary each,
    /// runs on all cores while llama.cpp is idle between decodes.
    /// </summary>
    unsafe void ChooseTokens(Slot[] ready)
    {
        var rows = new nint[ready.Length];
        for (int i = 0; i < ready.Length; i++)
        {
            ReadOnlySpan<float> logits = _context.GetLogits(ready[i].OutputRow);
            Observer?.Invoke(ready[i].Request.Index, ready[i].Tokens.Count, logits);
            rows[i] = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(logits));
        }
        int vocab = _teacher.VocabSize;
        // Below about a million logits the work is microseconds: handing it to pool threads costs more, because they
        // must wait for cores that llama.cpp's threads are still spinning on after the decode.
        if ((long)ready.Length * vocab < ParallelChooseMinLogits)
            for (int i = 0; i < ready.Length; i++) ready[i].Choose(new ReadOnlySpan<float>((void*)rows[i], vocab), _options.CaptureDistribution);
        else Parallel.For(0, ready.Length, i => ready[i].Choose(new ReadOnlySpan<float>((void*)rows[i], vocab), _options.CaptureDistribution));
    }

    /// <summary>Appends the chosen token's text, streams it to the request's observer and says whether the sequence is
    /// done (a finished sequence's KV cells and slot are freed at once).</summary>
    Completion? Advance(Slot slot, Slot?[] slots)
    {
        int token = slot.Tokens[^1];
        bool stopped = slot.Text.Append(_teacher.Vocab.TokenToPiece(token, special: false));
        FinishReason? reason =
            !_options.IgnoreEndOfGeneration && _teacher.Vocab.IsEog(token) ? FinishReason.EndOfGeneration
            : stopped ? FinishReason.Stop
            : slot.Tokens.Count >= slot.Request.MaxTokens || slot.Position >= _contextPerSequence ? FinishReason.Length
            : null;
        slot.Stream(token, reason is not null);
        if (reason is null) { slot.NextToken = token; slot.IsDecoding = true; return null; }
        Release(slot);
        slots[slot.SequenceId] = null;
        return slot.Finish(reason.Value);
    }

    public void Dispose()
    {
        _batch.Dispose();
        _context.Dispose();
    }

    /// <summary>One sequence in flight: its KV sequence id, progress through the prompt and what it generated so far.</summary>
    sealed class Slot(int sequenceId, GenerationRequest request, int topK)
    {
        public int SequenceId { get; } = sequenceId;
        public GenerationRequest Request { get; } = request;
        public TokenSampler Sampler { get; } = new(request.Sampling, request.SamplerStream ?? request.Index);
        public CompletionText Text { get; } = new(request.StopStrings);
        public int PromptFed, Position, NextToken, OutputRow = -1;
        /// <summary>Prompt tokens of this slot in the current batch; first padding position to free after the decode (-1 = none).</summary>
        public int PromptInBatch, PaddedFrom = -1;
        public bool IsDecoding;
        /// <summary>Prompt cache: the sequence decoding the prefix this one will copy (null = none); how many tokens to wait for;
        /// whether the slot's KV sequence holds this request's cells yet (false: still the retained cells of the slot's last request).</summary>
        public Slot? WaitingFor;
        public int WaitLength;
        public bool Placed;
        public readonly List<int> Tokens = [];
        public readonly List<float> SampledLogprobs = [], TailMass = [];
        readonly List<int> _topIds = [];
        readonly List<float> _topLogprobs = [];
        readonly int[] _ids = new int[topK];
        readonly float[] _logprobs = new float[topK];

        /// <summary>Records this position's distribution (when capturing) and appends the sampled token.</summary>
        public void Choose(ReadOnlySpan<float> logits, bool capture)
        {
            float logSumExp = capture ? Capture(logits) : float.NaN;
            // Greedy with a capture already knows the best id (same tie rule as ArgMax): no second pass over the vocabulary.
            int token = Request.Sampling.IsGreedy && capture && _ids.Length > 0 ? _ids[0] : Sampler.Sample(logits);
            Tokens.Add(token);
            if (capture) SampledLogprobs.Add(logits[token] - logSumExp);
        }

        float Capture(ReadOnlySpan<float> logits)
        {
            float logSumExp = TopKLogprobs.Capture(logits, _ids, _logprobs);
            _topIds.AddRange(_ids);
            _topLogprobs.AddRange(_logprobs);
            TailMass.Add(TopKLogprobs.TailMass(_logprobs));
            return logSumExp;
        }

        int _streamed;

        /// <summary>Tells the request's observer about the token just appended, with the text that became final.</summary>
        public void Stream(int token, bool last)
        {
            if (Request.Observer is not { } observer) return;
            int final = last ? Text.Text.Length : Text.FinalLength;
            string delta = final > _streamed ? Text.Text.Substring(_streamed, final - _streamed) : "";
            _streamed = Math.Max(_streamed, final);
            int k = _ids.Length, at = _topIds.Count - k;
            observer(new GeneratedToken(Request.Index, token, delta,
                SampledLogprobs.Count > 0 ? SampledLogprobs[^1] : float.NaN,
                k > 0 && at >= 0 ? _topIds.GetRange(at, k).ToArray() : [], k > 0 && at >= 0 ? _topLogprobs.GetRange(at, k).ToArray() : []));
        }

        /// <summary>The token whose KV cell is at <paramref name="position"/> (below <see cref="Position"/>): the prompt's, then the fed-back generated ones.</summary>
        public int TokenAt(int position) => position < Request.PromptTokens.Length ? Request.PromptTokens[position] : Tokens[position - Request.PromptTokens.Length];

        public Completion Finish(FinishReason reason) => new()
        {
            Index = Request.Index, PromptTokenCount = Request.PromptTokens.Length, Text = Text.Text, FinishReason = reason,
            InvalidCharacters = Text.InvalidCharacters, TopK = _ids.Length, TokenIds = [.. Tokens], SampledLogprobs = [.. SampledLogprobs],
            TopIds = [.. _topIds], TopLogprobs = [.. _topLogprobs], TailMass = [.. TailMass],
        };
    }
}
