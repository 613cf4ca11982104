using LlmDistill.IO;
using System.Globalization;
using System.Runtime.CompilerServices;
using Parquet;

namespace LlmDistill.Traces;

/// <summary>
/// Reads trace part files: a single file, or every complete part of a folder (<see cref="TracePartFiles.List"/>;
/// <c>.tmp</c> leftovers of a crashed writer are never read). Rows stream one row group at a time, so memory
/// holds one row group whatever the size of the folder.
/// </summary>
public static class TraceReader
{
    /// <summary>All rows of a file or folder, in file order then row order.</summary>
    public static async IAsyncEnumerable<TraceRecord> ReadAsync(string folderOrFile,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string file in TracePartFiles.List(folderOrFile))
        {
            await using var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
            var fields = TraceSchema.Create();
            for (int i = 0; i < reader.RowGroupCount; i++)
            {
                List<TraceRecord> rows;
                var rowGroup = OpenRowGroup(reader, file, i);
                try { rows = await TraceRowGroup.ReadAsync(rowGroup, fields, cancellationToken).ConfigureAwait(false); }
                catch (Exception e) when (IsDamage(e)) { throw Damaged(file, $"row group {i}", e); }
                foreach (var row in rows) yield return row;
            }
        }
    }

    /// <summary>Synchronous <see cref="ReadAsync"/>, for callers without async (e.g. a data loader thread).</summary>
    public static IEnumerable<TraceRecord> Read(string folderOrFile)
    {
        var rows = ReadAsync(folderOrFile).GetAsyncEnumerator();
        try
        {
            while (Task.Run(() => rows.MoveNextAsync().AsTask()).GetAwaiter().GetResult())
                yield return rows.Current;
        }
        finally { Task.Run(() => rows.DisposeAsync().AsTask()).GetAwaiter().GetResult(); }
    }

    /// <summary>Keys of the rows in the folder's complete parts (reads the key column only): what a resumed run skips.</summary>
    public static async Task<HashSet<string>> ReadKeysAsync(string folder, CancellationToken cancellationToken = default)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists(folder) && !File.Exists(folder)) return keys;
        foreach (string file in TracePartFiles.List(folder))
        {
            await using var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
            var fields = TraceSchema.Create();
            for (int i = 0; i < reader.RowGroupCount; i++)
            {
                string?[] column;
                var rowGroup = OpenRowGroup(reader, file, i);
                try
                {
                    column = new string?[rowGroup.RowCount];
                    await rowGroup.ReadAsync(fields.Key, column, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (IsDamage(e)) { throw Damaged(file, $"row group {i}, column '{fields.Key.Name}'", e); }
                foreach (string? key in column) keys.Add(key ?? throw new InvalidDataException($"'{file}' is damaged (row group {i}): a row has no key"));
            }
        }
        return keys;
    }

    public static HashSet<string> ReadKeys(string folder) => Task.Run(() => ReadKeysAsync(folder)).GetAwaiter().GetResult();

    /// <summary>The provenance stored in one trace file.</summary>
    public static async Task<TraceProvenance> ReadProvenanceAsync(string file, CancellationToken cancellationToken = default)
    {
        await using var reader = await OpenAsync(file, cancellationToken).ConfigureAwait(false);
        if (!reader.CustomMetadata.TryGetValue(TraceSchema.ProvenanceKey, out string? json))
            throw new InvalidDataException($"'{file}' has no '{TraceSchema.ProvenanceKey}' metadata");
        try { return TraceProvenance.FromJson(json); }
        catch (Exception e) when (IsDamage(e)) { throw Damaged(file, $"'{TraceSchema.ProvenanceKey}' metadata", e); }
    }

    public static TraceProvenance ReadProvenance(string file) => Task.Run(() => ReadProvenanceAsync(file)).GetAwaiter().GetResult();

    /// <summary>
    /// Before a resumable run writes into <paramref name="folder"/>: the first part file made by another run, by
    /// <paramref name="difference"/> (a phrase, or null when its provenance matches this run's). With
    /// <paramref name="replace"/> the folder's part files are deleted instead and null is returned, so the run starts over;
    /// mixing two experiments in one folder is never allowed.
    /// </summary>
    internal static (string Part, string Difference)? OtherRun(string folder, Func<TraceProvenance, string?> difference, bool replace)
    {
        foreach (string part in TracePartFiles.List(folder))
        {
            if (difference(ReadProvenance(part)) is not { } found) continue;
            if (!replace) return (part, found);
            foreach (string stale in TracePartFiles.List(folder)) File.Delete(stale);
            return null;
        }
        return null;
    }

    /// <summary>Deletes <c>.tmp</c> leftovers of crashed writers; see <see cref="TracePartFiles.CleanStaleTemporaries"/>.</summary>
    public static int CleanStaleTemporaries(string folder) => TracePartFiles.CleanStaleTemporaries(folder);

    /// <summary>Why a file of another (or no) trace schema version is not read: one sentence naming both versions and what to do.</summary>
    internal static string VersionRefusal(string file, string? version) =>
        version is null ? $"'{file}' is not a trace file (no '{TraceSchema.VersionKey}' metadata)"
        : !int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int v) ? $"'{file}' has an unreadable trace schema version '{version}'; this build reads version {TraceSchema.Version}"
        : v < TraceSchema.Version ? $"'{file}' has trace schema version {v}, older than version {TraceSchema.Version} that this build reads: read it with the llmdistill release that wrote it, or generate the traces again"
        : $"'{file}' has trace schema version {v}, newer than version {TraceSchema.Version} that this build reads: read it with a newer llmdistill";

    /// <summary>
    /// Whether <paramref name="e"/>, thrown while decoding a part file, means the file is damaged. Parquet.Net and its
    /// codecs throw many types for bad bytes (Thrift, Zstd, ArgumentOutOfRange, Overflow, IO, NullReference found by
    /// fuzzing: tests/fuzz), and so do our column decoders for inconsistent columns; all but cancellation are.
    /// </summary>
    internal static bool IsDamage(Exception e) => e is not OperationCanceledException;

    /// <summary>
    /// Row group <paramref name="index"/>, its row count and page headers checked first. Every row has a distinct key of
    /// at least one byte, so a part file holds fewer rows than bytes; a damaged footer claiming more (found by fuzzing: a
    /// 4.7 kB file claiming hundreds of millions of rows) would otherwise allocate columns of that many rows. The page
    /// headers: <see cref="ParquetPageCheck"/>.
    /// </summary>
    static ParquetRowGroupReader OpenRowGroup(ParquetReader reader, string file, int index)
    {
        ParquetRowGroupReader rowGroup;
        Parquet.Schema.ParquetSchema schema;
        try
        {
            rowGroup = reader.OpenRowGroupReader(index);
            schema = reader.Schema; // decoded on first use: a damaged schema throws here (found by fuzzing)
        }
        catch (Exception e) when (IsDamage(e)) { throw Damaged(file, $"row group {index}", e); }
        long length = new FileInfo(file).Length;
        if (rowGroup.RowCount < 0 || rowGroup.RowCount > length)
            throw new InvalidDataException($"'{file}' is damaged and cannot be read (row group {index}): it claims {rowGroup.RowCount} rows in a file of {length} bytes");
        ParquetPageCheck.Check(file, rowGroup.RowGroup, index, schema);
        return rowGroup;
    }

    /// <summary>One sentence for a damaged part file: the file, where in it, and the decoder's own words.</summary>
    internal static InvalidDataException Damaged(string file, string where, Exception e) =>
        new($"'{file}' is damaged and cannot be read ({where}): {e.Message}", e);

    /// <summary>Opens a trace file, refusing files of another schema version, or damaged (<see cref="InvalidDataException"/>).</summary>
    internal static async Task<ParquetReader> OpenAsync(string file, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        string? version;
        ParquetFooterCheck.Check(file);
        try
        {
            reader = await ParquetInputStream.OpenReaderAsync(file, cancellationToken).ConfigureAwait(false);
            try { version = reader.CustomMetadata.GetValueOrDefault(TraceSchema.VersionKey); }
            catch
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception e) when (IsDamage(e) && e is not FileNotFoundException and not DirectoryNotFoundException and not UnauthorizedAccessException)
        {
            throw Damaged(file, "footer", e);
        }
        if (!int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out int v) || v != TraceSchema.Version)
        {
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException(VersionRefusal(file, version));
        }
        return reader;
    }
}
