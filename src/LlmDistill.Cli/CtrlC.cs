namespace LlmDistill.Cli;

/// <summary>
/// Ctrl-C asks a long command to stop between steps (it saves what is finished) instead of killing the process;
/// a second Ctrl-C kills at once. Dispose to stop listening.
/// </summary>
sealed class CtrlC : IDisposable
{
    readonly CancellationTokenSource _source = new();

    CtrlC() => Console.CancelKeyPress += OnCancelKeyPress;

    public static CtrlC Cancellation() => new();

    public CancellationToken Token => _source.Token;

    void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested) return;
        e.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
