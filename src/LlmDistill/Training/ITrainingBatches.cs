using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// What the trainer reads: training micro-batches addressed by number, and a fixed held-out slice. Addressing by number
/// (not an enumerator) is what makes resume exact: a checkpoint stores the next number, and the source must return the
/// same batch for the same number in any process (a seeded shuffle per epoch does this).
/// The trainer disposes every batch it is given at the end of the step that used it.
/// </summary>
public interface ITrainingBatches
{
    /// <summary>Training sequences in one epoch (for <see cref="TrainerOptions.Epochs"/> and the summary).</summary>
    long TrainExamples { get; }

    /// <summary>Micro-batch <paramref name="index"/> (0, 1, 2, … across epochs) of <paramref name="batchSize"/> sequences.</summary>
    DistillationBatch Train(long index, int batchSize);

    /// <summary>The held-out batches in a fixed order; the trainer reads the first <see cref="TrainerOptions.EvalBatches"/>.</summary>
    IEnumerable<DistillationBatch> Eval(int batchSize);
}
