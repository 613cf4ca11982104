using System.Runtime;

namespace LlmDistill.Runtime;

/// <summary>
/// Runs a stretch of TorchSharp work with the garbage collector held off. TorchSharp passes a temporary
/// <c>Scalar</c>'s raw handle to native code without keeping the Scalar alive (<c>a + b</c> is <c>add(b, alpha: 1)</c>
/// with a fresh Scalar for 1): a collection started by another thread (a progress display, a parallel test) during
/// that call can run the Scalar's finalizer and free it mid-call. We saw it as "Expected false to be true ... toFloat"
/// from THSTensor_add after ~750 training steps; it could as well read a wrong value silently. No collection, hence no
/// finalizer, can start inside a no-GC region. The region is process-wide and cannot nest: when one is already open
/// (another trainer in the same process) this one runs inside it, and when the budget runs out the runtime collects
/// anyway and closes it; both are rare and only reopen the window, never fail the step.
/// </summary>
internal readonly struct NoGcRegion : IDisposable
{
    /// <summary>Bytes the process may allocate inside one region: a training step's managed objects plus other threads'.</summary>
    const long Budget = 64L * 1024 * 1024;

    readonly bool _opened;

    NoGcRegion(bool opened) => _opened = opened;

    public static NoGcRegion Enter()
    {
        try
        {
            return new NoGcRegion(GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(Budget));
        }
        catch (InvalidOperationException)
        {
            return new NoGcRegion(false); // another thread opened one between the check and the call
        }
    }

    public void Dispose()
    {
        if (!_opened || GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // The budget ran out and the runtime closed the region itself.
        }
    }
}
