namespace LlmDistill.Generation.Datasets;

/// <summary>CSV with a header row naming the columns (RFC 4180, see <see cref="CsvTokenizer"/>).</summary>
internal static class CsvRecords
{
    public static IEnumerable<DatasetRecord> Read(string path, DatasetFieldMap fields)
    {
        using var reader = DatasetFiles.OpenText(path);
        using var records = new CsvTokenizer(reader).Records().GetEnumerator();
        if (!records.MoveNext()) yield break;
        var header = records.Current;
        if (header.Error is not null) throw new DatasetFormatException(path, header.Line, null, $"header: {header.Error}");

        string[] columns = header.Fields;
        int question = Column(fields.Question);
        if (question < 0)
            throw new DatasetFormatException(path, header.Line, fields.Question,
                $"no such column; the header has: {string.Join(", ", columns)}");
        int answer = Column(fields.Answer), id = Column(fields.Id), rationale = Column(fields.Rationale);

        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Error is not null)
                yield return DatasetRecord.Invalid(new DatasetFormatException(path, record.Line, null, record.Error));
            else if (record.Fields.Length != columns.Length)
                yield return DatasetRecord.Invalid(new DatasetFormatException(path, record.Line, null,
                    $"{record.Fields.Length} columns, the header has {columns.Length}"));
            else
                yield return new DatasetRecord(record.Line, Cell(record, id), record.Fields[question], Cell(record, answer),
                    Cell(record, rationale), null);
        }

        int Column(string? name) => name is null ? -1 : Array.IndexOf(columns, name);
    }

    // An empty cell means "no value": CSV cannot tell an empty string from a missing one.
    static string? Cell(CsvRecord record, int column) =>
        column < 0 || record.Fields[column].Length == 0 ? null : record.Fields[column];
}
