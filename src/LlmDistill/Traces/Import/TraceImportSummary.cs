namespace LlmDistill.Traces.Import;

/// <summary>What an import wrote.</summary>
public sealed record TraceImportSummary
{
    public required string OutputFolder { get; init; }
    /// <summary>Conversations read (non-blank lines).</summary>
    public required long Rows { get; init; }
    public required long PromptTokens { get; init; }
    public required long CompletionTokens { get; init; }
    public required TraceFileStats Stats { get; init; }
    public required TimeSpan Wall { get; init; }
}
