using DuckDB.NET.Data;

namespace LlmDistill.Tests.Fixtures;

/// <summary>DuckDB as the independent Parquet reader: a query's rows as plain values (null for SQL NULL).</summary>
public static class DuckDbRows
{
    public static List<object?[]> Rows(this DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            rows.Add(row);
        }
        return rows;
    }
}
