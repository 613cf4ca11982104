namespace LlmDistill.Traces.Export;

/// <summary>Where an export stands: rows read of the folder's total, rows written, bytes written so far.</summary>
public sealed record TraceExportProgress(long RowsRead, long RowsTotal, long RowsWritten, long BytesWritten);
