namespace LlmDistill.Traces.Import;

/// <summary>Where an import stands: conversations read, and bytes of the input read (buffered, so approximate).</summary>
public sealed record TraceImportProgress(long Rows, long BytesRead, long BytesTotal);
