using System.Text.Json.Nodes;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// What the trainer reads: an endless stream of training micro-batches that can be reopened at a saved position, and a
/// fixed held-out slice. The position is the source's own JSON (the trace loader's epoch and batch, a counter for
/// synthetic data); the trainer stores it in each checkpoint and hands it back on resume, so the source must give the
/// same batches after the same position in any process (a seeded shuffle per epoch does this).
/// The trainer disposes every batch at the end of the step that used it.
/// </summary>
internal interface ITrainingBatches
{
    /// <summary>Training micro-batches in epoch order from <paramref name="position"/> (null: the start), epoch after epoch.</summary>
    IEnumerable<PositionedBatch> Train(JsonNode? position);

    /// <summary>The held-out batches in a fixed order; the trainer reads the first <see cref="TrainerOptions.EvalBatches"/>.</summary>
    IEnumerable<DistillationBatch> Eval();

    /// <summary>Micro-batches in one training epoch, when known (needed for <see cref="TrainerOptions.Epochs"/>).</summary>
    long? BatchesPerEpoch { get; }
}

/// <summary>A training micro-batch and the stream position just after it (what a checkpoint saves).</summary>
internal sealed record PositionedBatch(DistillationBatch Batch, JsonNode Next);
