using Parquet;
using Parquet.Schema;

namespace LlmDistill.Traces;

/// <summary>
/// A standard three-level Parquet LIST of required primitives, flattened for one row group: values of all rows in
/// order plus one (definition, repetition) level pair per value, or per empty list. Levels for such a column:
/// definition 2 = a value, 1 = an empty list (0 = a null list, never written here); repetition 0 = first slot of
/// a row, 1 = continues the row.
/// </summary>
sealed class ListColumn<T> where T : struct
{
    const int ValueLevel = 2, EmptyListLevel = 1;

    readonly List<T> _values = [];
    readonly List<int> _definitions = [], _repetitions = [];

    public void AddRow(ReadOnlySpan<T> row)
    {
        if (row.IsEmpty)
        {
            _definitions.Add(EmptyListLevel);
            _repetitions.Add(0);
            return;
        }
        _values.AddRange(row);
        for (int i = 0; i < row.Length; i++)
        {
            _definitions.Add(ValueLevel);
            _repetitions.Add(i == 0 ? 0 : 1);
        }
    }

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken) =>
        rowGroup.WriteAllPartsAsync<T>(field, _values.ToArray(), _definitions.ToArray(), _repetitions.ToArray(), cancellationToken);

    /// <summary>Reads the column of one row group: a list of length rowCount, one array per row.</summary>
    public static async Task<T[][]> ReadAsync(ParquetRowGroupReader rowGroup, DataField field, int rowCount, CancellationToken cancellationToken)
    {
        var chunk = rowGroup.GetMetadata(field)?.MetaData ?? throw new InvalidDataException($"trace file lacks column '{field.Path}'");
        int slots = checked((int)chunk.NumValues);
        var values = new T[slots];
        var definitions = new int[slots];
        var repetitions = new int[slots];
        await rowGroup.ReadRawAsync<T>(field, values, definitions, repetitions, cancellationToken);

        var rows = new T[rowCount][];
        int row = -1, start = 0, value = 0, rowLength = 0;
        for (int slot = 0; slot <= slots; slot++)
        {
            if (slot == slots || repetitions[slot] == 0)
            {
                if (row >= 0) rows[row] = values.AsSpan(start, rowLength).ToArray();
                if (slot == slots) break;
                if (++row >= rowCount) throw new InvalidDataException($"column '{field.Path}' has more rows than its row group ({rowCount})");
                start = value;
                rowLength = 0;
            }
            if (definitions[slot] == ValueLevel) { value++; rowLength++; }
            else if (definitions[slot] != EmptyListLevel) throw new InvalidDataException($"column '{field.Path}' holds a null list");
        }
        if (row != rowCount - 1) throw new InvalidDataException($"column '{field.Path}' has {row + 1} rows, its row group {rowCount}");
        return rows;
    }
}
