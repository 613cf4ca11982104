namespace LlmDistill.Generation.Datasets;

/// <summary>
/// Dataset name and split from a file name: <c>gsm8k-train.jsonl</c> → (gsm8k, train), <c>gsm8k_test.csv</c> →
/// (gsm8k, test), <c>gsm8k/validation.parquet</c> → (gsm8k, validation). Without a split word the split is "all".
/// </summary>
internal static class DatasetName
{
    public const string UnsplitName = "all";

    static readonly HashSet<string> SplitWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "train", "test", "validation", "valid", "val", "dev", "eval",
    };

    public static (string Name, string Split) Infer(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        if (SplitWords.Contains(stem))
        {
            string? folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
            return (string.IsNullOrEmpty(folder) ? stem : folder, stem.ToLowerInvariant());
        }
        int cut = stem.LastIndexOfAny(['-', '_', '.']);
        if (cut > 0 && SplitWords.Contains(stem[(cut + 1)..]))
            return (stem[..cut], stem[(cut + 1)..].ToLowerInvariant());
        return (stem, UnsplitName);
    }
}
