namespace LlmDistill.Pipeline;

/// <summary>
/// Reports synchronously on the caller's thread. System.Progress posts to a synchronization context (the thread pool
/// when there is none), so reports would arrive late and out of order.
/// </summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
