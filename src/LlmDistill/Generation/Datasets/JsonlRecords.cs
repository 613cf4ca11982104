using System.Text;
using System.Text.Json;

namespace LlmDistill.Generation.Datasets;

/// <summary>JSON Lines: one object per line, read one line at a time; blank lines are skipped.</summary>
internal static class JsonlRecords
{
    public static IEnumerable<DatasetRecord> Read(string path, DatasetFieldMap fields)
    {
        using var reader = DatasetFiles.OpenText(path);
        long line = 0;
        while (reader.ReadLine() is string text)
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text)) yield return Parse(path, line, text, fields);
        }
    }

    static DatasetRecord Parse(string path, long line, string text, DatasetFieldMap fields)
    {
        JsonDocument document;
        try { document = JsonDocument.Parse(text); }
        catch (JsonException e) { return Invalid(path, line, null, $"invalid JSON: {e.Message}"); }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Invalid(path, line, null, $"expected a JSON object, found {root.ValueKind}");

            var problem = (DatasetRecord?)null;
            string? Text(string? name, bool numbersAllowed)
            {
                if (name is null || problem is not null || !root.TryGetProperty(name, out var value)) return null;
                switch (value.ValueKind)
                {
                    case JsonValueKind.String: return value.GetString();
                    case JsonValueKind.Null: return null;
                    case JsonValueKind.Number when numbersAllowed: return value.GetRawText();
                    default:
                        problem = Invalid(path, line, name, $"expected a string, found {value.ValueKind}");
                        return null;
                }
            }

            var record = new DatasetRecord(line,
                Id: Text(fields.Id, numbersAllowed: true),
                Question: Text(fields.Question, numbersAllowed: false),
                Answer: Text(fields.Answer, numbersAllowed: true),
                Rationale: Text(fields.Rationale, numbersAllowed: false),
                Error: null);
            return problem ?? record;
        }
    }

    static DatasetRecord Invalid(string path, long line, string? field, string reason) =>
        DatasetRecord.Invalid(new DatasetFormatException(path, line, field, reason));
}
