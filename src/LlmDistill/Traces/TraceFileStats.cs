using System.Globalization;
using Parquet;

namespace LlmDistill.Traces;

/// <summary>
/// What trace files cost on disk: file bytes and compressed column-chunk bytes per completion token. The error
/// fields are filled by <see cref="TraceWriter.Stats"/>, which measured them while encoding; null otherwise.
/// </summary>
public sealed record TraceFileStats
{
    public required int Files { get; init; }
    public required long Rows { get; init; }
    public required long CompletionTokens { get; init; }
    /// <summary>Sum of file sizes, bytes (data, page headers, footer, metadata).</summary>
    public required long FileBytes { get; init; }
    /// <summary>Compressed bytes per top-level column, summed over row groups and files.</summary>
    public required IReadOnlyDictionary<string, long> ColumnBytes { get; init; }
    public double? MaxLogprobError { get; init; }
    public double? MaxTailMassError { get; init; }

    public double BytesPerToken => CompletionTokens == 0 ? 0 : (double)FileBytes / CompletionTokens;

    /// <summary>Bytes per token of the completion ids and the teacher distribution (<see cref="TraceSchema.PerTokenColumns"/>).</summary>
    public double PerTokenColumnBytesPerToken => CompletionTokens == 0 ? 0 :
        (double)TraceSchema.PerTokenColumns.Sum(c => ColumnBytes.GetValueOrDefault(c)) / CompletionTokens;

    public static TraceFileStats Measure(string folderOrFile) => Measure(TracePartFiles.List(folderOrFile));

    public static TraceFileStats Measure(IEnumerable<string> files) =>
        Task.Run(() => MeasureAsync(files)).GetAwaiter().GetResult();

    public static async Task<TraceFileStats> MeasureAsync(IEnumerable<string> files, CancellationToken cancellationToken = default)
    {
        int count = 0;
        long rows = 0, tokens = 0, bytes = 0;
        var columns = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            count++;
            bytes += new FileInfo(file).Length;
            await using var reader = await TraceReader.OpenAsync(file, cancellationToken).ConfigureAwait(false);
            foreach (var rowGroup in reader.Metadata!.RowGroups)
            {
                rows += rowGroup.NumRows;
                foreach (var chunk in rowGroup.Columns)
                {
                    // A footer's column chunk may lack its metadata or path (found by fuzzing): damaged, said by name.
                    var meta = chunk.MetaData is { PathInSchema.Count: > 0 } m ? m
                        : throw new InvalidDataException($"'{file}' is damaged and cannot be read (footer): a column chunk has no metadata");
                    string column = meta.PathInSchema[0];
                    columns[column] = columns.GetValueOrDefault(column) + meta.TotalCompressedSize;
                    if (column == "completion_token_ids") tokens += ValueCount(meta);
                }
            }
        }
        return new TraceFileStats { Files = count, Rows = rows, CompletionTokens = tokens, FileBytes = bytes, ColumnBytes = columns };
    }

    /// <summary>
    /// Completion tokens of a row group from the completion_token_ids chunk: its slot count, less one slot per
    /// empty list (the null count of the leaf, written in the chunk statistics).
    /// </summary>
    static long ValueCount(Parquet.Meta.ColumnMetaData meta)
    {
        long emptyLists = meta.Statistics?.NullCount ?? 0;
        return meta.NumValues - emptyLists;
    }

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        string errors = MaxLogprobError is { } lp
            ? string.Create(c, $"; max quantisation error {lp:0.0000} nats (logprobs), {MaxTailMassError ?? 0:0.00000} (tail mass)")
            : "";
        return string.Create(c,
            $"{Files} trace file(s), {Rows:N0} rows, {CompletionTokens:N0} completion tokens, {FileBytes / 1048576.0:0.0} MiB: " +
            $"{BytesPerToken:0.0} bytes/token ({PerTokenColumnBytesPerToken:0.0} in ids and top-k columns){errors}");
    }
}
