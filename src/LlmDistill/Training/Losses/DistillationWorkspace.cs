using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// The vocabulary-sized scratch tensors <see cref="DistillationLoss.Compute"/> reuses from call to call: a (chunk, V)
/// buffer that holds a chunk's logits, then log-probabilities, then their gradient, and the (V, C) output-weight
/// gradient. Fresh tensors this large cost more than the arithmetic on them on a CPU: glibc maps every block over
/// 32 MB anew from the kernel and unmaps it on free, so each use is page-faulted in and zero-filled 4 KiB at a time
/// (a fresh 467 MB tensor took 165 ms to fill here, a reused one 18 ms). One per trainer; not thread-safe. The loss a
/// call returns holds the weight gradient in its graph, so run its backward before the next call with the same workspace
/// (the trainer does: each micro-batch's backward follows its loss).
/// </summary>
internal sealed class DistillationWorkspace : IDisposable
{
    Tensor? _chunk, _weightGradient;

    /// <summary>(rows, V): kept while the shape, type and device stay the same.</summary>
    internal Tensor Chunk(long rows, long vocabulary, ScalarType type, Device device) => Reuse(ref _chunk, [rows, vocabulary], type, device);

    /// <summary>(V, C): same rule.</summary>
    internal Tensor WeightGradient(long vocabulary, long channels, ScalarType type, Device device) => Reuse(ref _weightGradient, [vocabulary, channels], type, device);

    static Tensor Reuse(ref Tensor? held, long[] shape, ScalarType type, Device device)
    {
        if (held is not null && held.shape.SequenceEqual(shape) && held.dtype == type && held.device_type == device.type && held.device_index == device.index)
            return held;
        held?.Dispose();
        held = empty(shape, type, device).DetachFromDisposeScope(); // outlives the step's dispose scope
        return held;
    }

    public void Dispose()
    {
        _chunk?.Dispose();
        _weightGradient?.Dispose();
        _chunk = _weightGradient = null;
    }
}
