namespace LlmDistill.Generation.Datasets;

public sealed record DatasetReadOptions
{
    public DatasetFieldMap Fields { get; init; } = DatasetFieldMap.Default;

    /// <summary>Null: from the file extension.</summary>
    public DatasetFormat? Format { get; init; }

    /// <summary>Null: inferred from the file name (see <see cref="DatasetName"/>).</summary>
    public string? Name { get; init; }
    public string? Split { get; init; }

    /// <summary>Skip malformed rows and count them instead of throwing <see cref="DatasetFormatException"/>.</summary>
    public bool SkipInvalid { get; init; }

    /// <summary>How many skip messages to keep for the report; the count itself is unbounded.</summary>
    public int MaxSkipMessages { get; init; } = 10;

    /// <summary>GSM8K rationales carry calculator annotations (<c>48/2 = &lt;&lt;48/2=24&gt;&gt;24</c>); drop them by default.</summary>
    public bool KeepCalculatorAnnotations { get; init; }
}
