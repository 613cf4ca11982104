namespace LlmDistill.Traces.Export;

/// <summary>What an export wrote.</summary>
public sealed record TraceExportSummary
{
    public required TraceExportFormat Format { get; init; }
    public required string OutputPath { get; init; }
    /// <summary>The provenance sidecar (JSONL formats); null for Parquet, which keeps it in its key-value metadata.</summary>
    public string? ProvenancePath { get; init; }
    public required long RowsRead { get; init; }
    public required long RowsWritten { get; init; }
    /// <summary>Rows left out because <c>keep</c> is false (when keep-only).</summary>
    public required long RowsNotKept { get; init; }
    /// <summary>Rows left out because they have nothing to learn from: no completion tokens, or (kd-topk) no alternatives.</summary>
    public required long RowsEmpty { get; init; }
    /// <summary>Completion tokens of the rows written.</summary>
    public required long CompletionTokens { get; init; }
    public required long OutputBytes { get; init; }
    public required TimeSpan Wall { get; init; }

    public double RowsPerSecond => RowsWritten / Math.Max(Wall.TotalSeconds, 1e-9);
    public double MegabytesPerSecond => OutputBytes / 1e6 / Math.Max(Wall.TotalSeconds, 1e-9);
    public double BytesPerCompletionToken => CompletionTokens == 0 ? 0 : (double)OutputBytes / CompletionTokens;
}
