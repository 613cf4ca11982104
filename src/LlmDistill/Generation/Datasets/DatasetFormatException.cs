namespace LlmDistill.Generation.Datasets;

/// <summary>
/// A dataset record that cannot become a <see cref="DatasetRow"/>. The message names the file, the line
/// (JSONL, CSV) or row (Parquet) and, when one is to blame, the field.
/// </summary>
public sealed class DatasetFormatException : FormatException
{
    public DatasetFormatException(string filePath, long line, string? field, string reason, bool isParquetRow = false)
        : base(Describe(filePath, line, field, reason, isParquetRow))
    {
        FilePath = filePath;
        Line = line;
        Field = field;
        Reason = reason;
    }

    public string FilePath { get; }

    /// <summary>1-based line (JSONL, CSV) or row (Parquet); 0 when the whole file is at fault (e.g. a missing column).</summary>
    public long Line { get; }
    public string? Field { get; }
    public string Reason { get; }

    static string Describe(string filePath, long line, string? field, string reason, bool isParquetRow)
    {
        string where = line <= 0 ? filePath : isParquetRow ? $"{filePath}: row {line}" : $"{filePath}:{line}";
        return field is null ? $"{where}: {reason}" : $"{where}: field '{field}': {reason}";
    }
}
