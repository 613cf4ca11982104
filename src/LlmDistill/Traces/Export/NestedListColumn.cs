using Parquet;
using Parquet.Schema;

namespace LlmDistill.Traces.Export;

/// <summary>
/// A Parquet list&lt;list&lt;T&gt;&gt; of required values (Parquet.Net ListFields: both list groups optional), flattened for
/// one row group. Definition levels: 4 = a value, 3 = an empty inner list, 1 = an empty outer list (2 and 0, null
/// lists, are never written). Repetition levels: 0 = a new row, 1 = a new inner list in the row, 2 = the inner list goes on.
/// </summary>
sealed class NestedListColumn<T> where T : struct
{
    const int ValueLevel = 4, EmptyInnerLevel = 3, EmptyOuterLevel = 1;

    readonly List<T> _values = [];
    readonly List<int> _definitions = [], _repetitions = [];

    /// <summary>Adds one row of <paramref name="lists"/> inner lists, taking the first <paramref name="take"/> of every <paramref name="stride"/> values.</summary>
    public void AddRow(ReadOnlySpan<T> values, int lists, int stride, int take)
    {
        if (lists == 0)
        {
            _definitions.Add(EmptyOuterLevel);
            _repetitions.Add(0);
            return;
        }
        for (int list = 0; list < lists; list++)
        {
            int first = list == 0 ? 0 : 1;
            if (take == 0)
            {
                _definitions.Add(EmptyInnerLevel);
                _repetitions.Add(first);
                continue;
            }
            _values.AddRange(values.Slice(list * stride, take));
            for (int j = 0; j < take; j++)
            {
                _definitions.Add(ValueLevel);
                _repetitions.Add(j == 0 ? first : 2);
            }
        }
    }

    public Task WriteAsync(ParquetRowGroupWriter rowGroup, DataField field, CancellationToken cancellationToken) =>
        rowGroup.WriteAllPartsAsync<T>(field, _values.ToArray(), _definitions.ToArray(), _repetitions.ToArray(), cancellationToken);
}
