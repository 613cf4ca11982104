namespace LlmDistill.Generation.Datasets;

public enum DatasetFormat { Jsonl, Csv, Parquet }

public static class DatasetFormats
{
    /// <summary>The format named by the file extension: .jsonl/.ndjson, .csv, .parquet.</summary>
    public static DatasetFormat FromPath(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".jsonl" or ".ndjson" => DatasetFormat.Jsonl,
        ".csv" => DatasetFormat.Csv,
        ".parquet" => DatasetFormat.Parquet,
        var ext => throw new ArgumentException(
            $"{path}: unknown dataset extension '{ext}'; use .jsonl, .csv or .parquet, or pass the format explicitly", nameof(path)),
    };
}
