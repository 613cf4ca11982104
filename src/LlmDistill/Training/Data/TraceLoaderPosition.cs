namespace LlmDistill.Training.Data;

/// <summary>
/// Where a loader stands: the epoch and how many of its batches were handed out. Save it with a checkpoint (two
/// numbers) and pass it back to <see cref="TraceDataLoader.Read(TraceLoaderPosition, TorchSharp.torch.Device?)"/> to get
/// the batches that would have come next, given the same folder and options.
/// </summary>
internal readonly record struct TraceLoaderPosition(int Epoch, long Batch)
{
    public static TraceLoaderPosition Start => new(0, 0);

    public override string ToString() => $"epoch {Epoch}, batch {Batch}";
}
