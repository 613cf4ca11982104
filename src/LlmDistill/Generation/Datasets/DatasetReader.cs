namespace LlmDistill.Generation.Datasets;

/// <summary>
/// A dataset file as a stream of <see cref="DatasetRow"/>s: each enumeration reads the file front to back, one
/// record at a time, and never holds the whole file. Malformed records throw <see cref="DatasetFormatException"/>,
/// or with <see cref="DatasetReadOptions.SkipInvalid"/> are counted in <see cref="Skipped"/> and left out.
/// </summary>
public sealed class DatasetReader : IEnumerable<DatasetRow>
{
    readonly DatasetReadOptions _options;
    readonly List<string> _skipMessages = [];

    DatasetReader(string path, DatasetReadOptions options)
    {
        _options = options;
        Path = path;
        Format = options.Format ?? DatasetFormats.FromPath(path);
        var inferred = DatasetName.Infer(path);
        Name = options.Name ?? inferred.Name;
        Split = options.Split ?? inferred.Split;
    }

    public static DatasetReader Open(string path, DatasetReadOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"dataset file not found: {path}", path);
        return new DatasetReader(path, options ?? new DatasetReadOptions());
    }

    public string Path { get; }
    public DatasetFormat Format { get; }
    public string Name { get; }
    public string Split { get; }

    /// <summary>Records skipped as malformed by the latest enumeration (so far, while it runs).</summary>
    public int Skipped { get; private set; }

    /// <summary>The first <see cref="DatasetReadOptions.MaxSkipMessages"/> reasons for skipping, file and line included.</summary>
    public IReadOnlyList<string> SkipMessages => _skipMessages;

    public IEnumerator<DatasetRow> GetEnumerator()
    {
        Skipped = 0;
        _skipMessages.Clear();
        var builder = new DatasetRowBuilder(Path, _options, Format == DatasetFormat.Parquet);
        foreach (var record in Records())
        {
            DatasetRow row;
            try { row = builder.Build(record); }
            catch (DatasetFormatException e) when (_options.SkipInvalid)
            {
                Skipped++;
                if (_skipMessages.Count < _options.MaxSkipMessages) _skipMessages.Add(e.Message);
                continue;
            }
            yield return row;
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    IEnumerable<DatasetRecord> Records() => Format switch
    {
        DatasetFormat.Jsonl => JsonlRecords.Read(Path, _options.Fields),
        DatasetFormat.Csv => CsvRecords.Read(Path, _options.Fields),
        DatasetFormat.Parquet => ParquetRecords.Read(Path, _options.Fields),
        _ => throw new ArgumentOutOfRangeException(nameof(Format), Format, null),
    };
}
