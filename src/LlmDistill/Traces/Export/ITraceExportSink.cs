namespace LlmDistill.Traces.Export;

/// <summary>Writes exported rows of one format into an open stream, one row at a time.</summary>
interface ITraceExportSink : IAsyncDisposable
{
    /// <summary>Writes one row; false when the row has nothing this format can hold (it is then counted as empty).</summary>
    Task<bool> WriteAsync(TraceRecord row, CancellationToken cancellationToken);

    /// <summary>Writes what is buffered and any footer; the stream is complete afterwards.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
