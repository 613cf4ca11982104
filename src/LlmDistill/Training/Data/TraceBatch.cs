using LlmDistill.Training.Losses;

namespace LlmDistill.Training.Data;

/// <summary>
/// One batch from a <see cref="TraceDataLoader"/>: the tensors for the loss plus what the trainer logs and saves.
/// Dispose it (or the scope it was made in) when the step is done; that frees the eight tensors.
/// </summary>
internal sealed class TraceBatch(DistillationBatch batch, TraceLoaderPosition position, IReadOnlyList<string> keys, long realTokens, long lossTokens)
    : IDisposable
{
    /// <summary>(B, T) / (B, T, K) tensors as <see cref="DistillationBatch"/> documents them.</summary>
    public DistillationBatch Batch { get; } = batch;

    /// <summary>This batch's place: its epoch and its index in the epoch.</summary>
    public TraceLoaderPosition Position { get; } = position;

    /// <summary>The position to save after training on this batch: resuming from it gives the next batch.</summary>
    public TraceLoaderPosition Next => Position with { Batch = Position.Batch + 1 };

    /// <summary>Trace keys of the B rows, in row order.</summary>
    public IReadOnlyList<string> Keys { get; } = keys;

    public int Examples => Keys.Count;

    /// <summary>Input positions holding a real token, not padding.</summary>
    public long RealTokens { get; } = realTokens;

    /// <summary>Positions with a loss (rationale or answer).</summary>
    public long LossTokens { get; } = lossTokens;

    public void Dispose()
    {
        Batch.InputIds.Dispose();
        Batch.TargetIds.Dispose();
        Batch.SpanKinds.Dispose();
        Batch.TeacherTopKIds.Dispose();
        Batch.TeacherTopKLogprobs.Dispose();
        Batch.TeacherTailMass.Dispose();
        Batch.TeacherPresent.Dispose();
        Batch.ExampleWeights.Dispose();
    }
}
