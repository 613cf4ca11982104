using System.Text.Json.Nodes;
using LlmDistill.Tokenization;
using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// A trace folder as the trainer's data source, through <see cref="TraceDataLoader"/>: training batches stream from a
/// saved <c>{"epoch", "batch"}</c> position; held-out batches are the evaluation side of the split by question
/// (<see cref="TraceLoaderOptions.EvaluationPercent"/>), read from the start each time. The loader checks that the
/// traces' tokenizer is the student's.
/// </summary>
internal sealed class TraceTrainingBatches : ITrainingBatches
{
    readonly TraceDataLoader _train;
    readonly TraceDataLoader? _eval;
    long? _batchesPerEpoch;

    public TraceTrainingBatches(string tracesFolder, TokenizerVocabulary studentVocabulary, TraceLoaderOptions options)
    {
        _train = new TraceDataLoader(tracesFolder, studentVocabulary, options, TraceSplitSide.Train);
        _eval = options.EvaluationPercent > 0 ? new TraceDataLoader(tracesFolder, studentVocabulary, options, TraceSplitSide.Evaluation) : null;
    }

    /// <summary>Counts one epoch's batches the first time it is asked (a pass over the rows that makes no tensors).</summary>
    public long? BatchesPerEpoch => _batchesPerEpoch ??= CountBatches();

    public IEnumerable<PositionedBatch> Train(JsonNode? position)
    {
        var from = position is null
            ? TraceLoaderPosition.Start
            : new TraceLoaderPosition(position["epoch"]!.GetValue<int>(), position["batch"]!.GetValue<long>());
        foreach (var batch in _train.Read(from))
            yield return new PositionedBatch(batch.Batch, new JsonObject { ["epoch"] = batch.Next.Epoch, ["batch"] = batch.Next.Batch });
    }

    public IEnumerable<DistillationBatch> Eval() => _eval is null ? [] : _eval.ReadEpoch(0).Select(b => b.Batch);

    long CountBatches()
    {
        foreach (var _ in _train.ReadEpoch(0, skipBatches: long.MaxValue)) { }
        return _train.Stats.Batches;
    }
}
