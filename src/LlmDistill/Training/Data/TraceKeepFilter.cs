namespace LlmDistill.Training.Data;

/// <summary>Which rows the loader trains on, by their <c>keep</c> column (the generate stage's <see cref="Generation.KeepPolicy"/> verdict).</summary>
internal enum TraceKeepFilter
{
    /// <summary>Only rows with keep = true (<c>respect-keep</c>, the default).</summary>
    RespectKeep,
    /// <summary>Every row, whatever its keep flag (<c>all</c>); rows without completion tokens are still skipped.</summary>
    All,
}

internal static class TraceKeepFilters
{
    public static TraceKeepFilter Parse(string text) => text.ToLowerInvariant() switch
    {
        "respect-keep" => TraceKeepFilter.RespectKeep,
        "all" => TraceKeepFilter.All,
        _ => throw new ArgumentException($"the keep filter must be respect-keep or all, not '{text}'", nameof(text)),
    };
}
