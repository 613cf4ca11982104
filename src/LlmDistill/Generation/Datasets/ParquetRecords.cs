using LlmDistill.IO;
using Parquet;
using Parquet.Schema;

namespace LlmDistill.Generation.Datasets;

/// <summary>
/// Parquet: top-level columns named by the field map, read one row group at a time (memory ~ one row group).
/// Question, answer and rationale columns must be strings; an id column may be a string or an integer.
/// </summary>
internal static class ParquetRecords
{
    public static IEnumerable<DatasetRecord> Read(string path, DatasetFieldMap fields)
    {
        ParquetReader reader;
        if (ParquetFooterCheck.Find(path) is { } damage)
            throw new DatasetFormatException(path, 0, null, $"damaged Parquet file, cannot be read (footer, byte offset {damage.Offset}): {damage.Why}");
        try
        {
            reader = Wait(ParquetInputStream.OpenReaderAsync(path));
            // The schema is decoded on first use; a footer with no columns fails there (found by fuzzing).
            try { _ = reader.Schema; }
            catch
            {
                Wait(reader.DisposeAsync().AsTask());
                throw;
            }
        }
        catch (Exception e) when (IsDamage(e)) { throw Damaged(path, "footer", e); }
        try
        {
            foreach (var record in Read(path, reader, fields)) yield return record;
        }
        finally
        {
            Wait(reader.DisposeAsync().AsTask());
        }
    }

    static IEnumerable<DatasetRecord> Read(string path, ParquetReader reader, DatasetFieldMap fields)
    {
        var question = Column(path, reader.Schema, fields.Question, required: true)!;
        var answer = Column(path, reader.Schema, fields.Answer, required: false);
        var id = Column(path, reader.Schema, fields.Id, required: false, integersAllowed: true);
        var rationale = Column(path, reader.Schema, fields.Rationale, required: false);

        long row = 0;
        for (int group = 0; group < reader.RowGroupCount; group++)
        {
            int count;
            string?[] questions;
            string?[]? answers, ids, rationales;
            try
            {
                using var groupReader = reader.OpenRowGroupReader(group);
                count = RowCount(path, groupReader, group);
                if (ParquetPageCheck.Find(path, groupReader.RowGroup, reader.Schema) is { } damage)
                    throw new DatasetFormatException(path, 0, damage.Column, $"damaged Parquet file, cannot be read (row group {group}, byte offset {damage.Offset}): {damage.Why}");
                questions = ReadText(groupReader, question, count);
                answers = answer is null ? null : ReadText(groupReader, answer, count);
                ids = id is null ? null : ReadText(groupReader, id, count);
                rationales = rationale is null ? null : ReadText(groupReader, rationale, count);
            }
            catch (Exception e) when (IsDamage(e)) { throw Damaged(path, $"row group {group}", e); }
            for (int i = 0; i < count; i++)
            {
                row++;
                yield return new DatasetRecord(row, ids?[i], questions[i], answers?[i], rationales?[i], null);
            }
        }
    }

    /// <summary>
    /// The rows of a row group, checked against the file's size before columns of that many rows are allocated (found by
    /// fuzzing: 679 bytes claiming 5 million rows, 209 MB). Each row costs its question column at least one bit (a
    /// dictionary index), bar a file of one question repeated, which is not a data set.
    /// </summary>
    static int RowCount(string path, ParquetRowGroupReader groupReader, int group)
    {
        long length = new FileInfo(path).Length, rows = groupReader.RowCount;
        if (rows < 0 || rows > 8 * length)
            throw new DatasetFormatException(path, 0, null, $"damaged Parquet file, cannot be read (row group {group}): it claims {rows} rows in a file of {length} bytes");
        return checked((int)rows);
    }

    /// <summary>
    /// Whether an exception from Parquet.Net or its codecs means the file is damaged: for bad bytes they throw many
    /// types (Thrift, Zstd, ArgumentOutOfRange, Overflow, IO, found by fuzzing: tests/fuzz); all but cancellation,
    /// a missing file and our own refusals are.
    /// </summary>
    static bool IsDamage(Exception e) =>
        e is not (OperationCanceledException or DatasetFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException);

    static DatasetFormatException Damaged(string path, string where, Exception e) =>
        new(path, 0, null, $"damaged Parquet file, cannot be read ({where}): {e.Message}");

    static DataField? Column(string path, ParquetSchema schema, string? name, bool required, bool integersAllowed = false)
    {
        if (name is null) return null;
        var field = schema.DataFields.FirstOrDefault(f => f.Name == name && f.Path.Length == 1);
        if (field is null)
        {
            if (!required) return null;
            throw new DatasetFormatException(path, 0, name,
                $"no such column; the file has: {string.Join(", ", schema.DataFields.Select(f => f.Name))}");
        }
        bool supported = IsText(field) || (integersAllowed && (field.ClrType == typeof(int) || field.ClrType == typeof(long)));
        if (field.IsArray || !supported)
            throw new DatasetFormatException(path, 0, name,
                $"column of type {field.ClrType.Name}{(field.IsArray ? "[]" : "")}, expected {(integersAllowed ? "string or integer" : "string")}");
        return field;
    }

    // Parquet.Net 6 describes UTF-8 string columns as ReadOnlyMemory<char> (read into string[] all the same).
    static bool IsText(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    static string?[] ReadText(ParquetRowGroupReader groupReader, DataField field, int count)
    {
        if (IsText(field))
        {
            var values = new string?[count];
            Wait(groupReader.ReadAsync(field, values.AsMemory()!, null).AsTask());
            return values;
        }
        if (field.ClrType == typeof(int)) return ReadIntegers<int>(groupReader, field, count);
        return ReadIntegers<long>(groupReader, field, count);
    }

    static string?[] ReadIntegers<T>(ParquetRowGroupReader groupReader, DataField field, int count) where T : struct, IFormattable
    {
        var text = new string?[count];
        if (field.IsNullable)
        {
            var values = new T?[count];
            Wait(groupReader.ReadAsync(field, values.AsMemory(), null).AsTask());
            for (int i = 0; i < count; i++) text[i] = values[i]?.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            var values = new T[count];
            Wait(groupReader.ReadAsync(field, values.AsMemory(), null).AsTask());
            for (int i = 0; i < count; i++) text[i] = values[i].ToString(null, System.Globalization.CultureInfo.InvariantCulture);
        }
        return text;
    }

    // The dataset API is a synchronous IEnumerable; Parquet.Net is async-only. No synchronisation context is
    // captured (ConfigureAwait(false) throughout Parquet.Net), so blocking here does not deadlock.
    static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();
    static void Wait(Task task) => task.GetAwaiter().GetResult();
}
