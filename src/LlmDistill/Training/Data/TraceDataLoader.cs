using LlmDistill.Tokenization;
using LlmDistill.Traces;
using static TorchSharp.torch;

namespace LlmDistill.Training.Data;

/// <summary>
/// Streams a trace folder into <see cref="TraceBatch"/>es for one side of the train/evaluation split. Per epoch:
/// the part files in an order shuffled by (seed, epoch), their rows one row group at a time, the keep filter and
/// the split, <see cref="TraceExampleBuilder"/>, <see cref="TraceBatcher"/>, and <see cref="TraceCollator"/> for
/// the batches handed out. Memory holds one row group and one shuffle buffer, whatever the folder's size.
/// The part files are listed once, here, so files that appear later (a generate still running) are not read.
/// <para>Deterministic: the same files, options and side give the same batches in the same order on every run.
/// To resume, save <see cref="TraceBatch.Next"/> and pass it to <see cref="Read(TraceLoaderPosition, Device?)"/>:
/// the epoch's rows are read again up to that point but skipped batches never become tensors.</para>
/// </summary>
internal sealed class TraceDataLoader
{
    readonly IReadOnlyList<string> _files;
    readonly TraceExampleBuilder _builder;
    readonly TraceBatcher _batcher;
    readonly long _padId;

    /// <summary>
    /// Checks the folder's tokenizer against the student's (<see cref="TraceTokenizerCheck"/>) and prepares the loader.
    /// </summary>
    public TraceDataLoader(string tracesFolder, TokenizerVocabulary studentVocabulary, TraceLoaderOptions? options = null,
        TraceSplitSide side = TraceSplitSide.Train)
    {
        ArgumentNullException.ThrowIfNull(studentVocabulary);
        Options = (options ?? new TraceLoaderOptions()).Validate();
        Side = side;
        _files = TracePartFiles.List(tracesFolder);
        if (_files.Count == 0) throw new InvalidDataException($"no trace part files in '{tracesFolder}'");
        TraceTokenizerCheck.Ensure(tracesFolder, studentVocabulary);
        _builder = new TraceExampleBuilder(studentVocabulary, Options.ExampleOptions);
        _batcher = new TraceBatcher(Options);
        _padId = studentVocabulary.Special.Pad ?? studentVocabulary.Special.Eos ?? 0;
    }

    public TraceLoaderOptions Options { get; }
    public TraceSplitSide Side { get; }
    public IReadOnlyList<string> Files => _files;

    /// <summary>Counters of the epoch being read (or last read); a new object each time an epoch starts.</summary>
    public TraceLoaderStats Stats { get; private set; } = new();

    /// <summary>
    /// Batches from <paramref name="from"/> on, epoch after epoch without end (the trainer stops when it has taken
    /// enough). Throws <see cref="InvalidDataException"/> when an epoch has no examples at all.
    /// </summary>
    public IEnumerable<TraceBatch> Read(TraceLoaderPosition from, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(from.Epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(from.Batch);
        for (int epoch = from.Epoch; ; epoch++)
        {
            foreach (var batch in ReadEpoch(epoch, epoch == from.Epoch ? from.Batch : 0, device)) yield return batch;
            if (Stats.Batches == 0)
                throw new InvalidDataException($"no {Side.ToString().ToLowerInvariant()} examples in {_files.Count} trace files ({Stats})");
        }
    }

    /// <summary>One epoch's batches, the first <paramref name="skipBatches"/> left out without making tensors.</summary>
    public IEnumerable<TraceBatch> ReadEpoch(int epoch, long skipBatches = 0, Device? device = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(skipBatches);
        var stats = Stats = new TraceLoaderStats();
        var random = SeededRandom.For(Options.Seed, epoch);
        long index = 0;
        foreach (var group in _batcher.Group(Examples(random, stats), random))
        {
            int length = TraceCollator.PaddedLength(group.Max(e => e.Length), Options.PadToMultipleOf, Options.MaxSequenceLength);
            long real = group.Sum(e => (long)e.Length), loss = group.Sum(e => (long)e.LossTokens);
            stats.Batches++;
            stats.Examples += group.Count;
            stats.RealTokens += real;
            stats.LossTokens += loss;
            stats.PaddingTokens += (long)group.Count * length - real;
            if (index++ < skipBatches) continue;
            var tensors = TraceCollator.Collate(group, length, _padId, device);
            yield return new TraceBatch(tensors, new TraceLoaderPosition(epoch, index - 1), group.Select(e => e.Key).ToArray(), real, loss);
        }
    }

    /// <summary>The epoch's examples in file order (files shuffled by <paramref name="random"/>), filtered and built.</summary>
    IEnumerable<TraceExample> Examples(SeededRandom random, TraceLoaderStats stats)
    {
        var files = _files.ToList();
        random.Shuffle(files);
        foreach (string file in files)
            foreach (var record in TraceReader.Read(file))
            {
                stats.RowsRead++;
                if (Options.Keep == TraceKeepFilter.RespectKeep && !record.Keep) { stats.Skip(TraceSkipReason.NotKept); continue; }
                if (EvaluationSplit.SideOf(record, Options.EvaluationPercent) != Side) { stats.Skip(TraceSkipReason.OtherSplit); continue; }
                if (_builder.Build(record, out var skipped) is not { } example) { stats.Skip(skipped); continue; }
                if (example.DroppedPromptTokens > 0)
                {
                    stats.TruncatedPrompts++;
                    stats.DroppedPromptTokens += example.DroppedPromptTokens;
                }
                if (example.AnswerBoundaryMissing) stats.AnswerBoundaryMissing++;
                yield return example;
            }
    }
}
