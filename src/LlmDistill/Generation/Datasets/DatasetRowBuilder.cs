using LlmDistill.Answers;

namespace LlmDistill.Generation.Datasets;

/// <summary>
/// Turns records into rows for one pass over one file: checks the question, splits GSM8K answers, normalises the
/// gold answer and assigns ids (given ids must be unique; derived ids get -2, -3 suffixes for repeated questions).
/// </summary>
internal sealed class DatasetRowBuilder(string path, DatasetReadOptions options, bool isParquet)
{
    // Ids seen so far → how many rows used that base id; 16-char keys, so ~100 bytes per row of the file.
    readonly Dictionary<string, int> _idUses = new(StringComparer.Ordinal);

    public DatasetRow Build(DatasetRecord record)
    {
        if (record.Error is not null) throw record.Error;
        var fields = options.Fields;
        if (record.Question is null) throw Invalid(record.Line, fields.Question, "missing");
        if (string.IsNullOrWhiteSpace(record.Question)) throw Invalid(record.Line, fields.Question, "empty");

        string? rationale = NullIfBlank(record.Rationale);
        string? gold = NullIfBlank(record.Answer);
        if (gold is not null && Gsm8kAnswer.TrySplit(gold, out string gsmRationale, out string gsmAnswer))
        {
            gold = gsmAnswer.Length == 0 ? null : gsmAnswer;
            if (!options.KeepCalculatorAnnotations) gsmRationale = Gsm8kAnswer.StripCalculatorAnnotations(gsmRationale);
            rationale ??= NullIfBlank(gsmRationale);
        }
        if (gold is not null) gold = AnswerNormalizer.Normalize(gold);

        string id = AssignId(record, fields);
        return new DatasetRow(id, record.Question, gold, rationale, record.Line);
    }

    string AssignId(DatasetRecord record, DatasetFieldMap fields)
    {
        string? given = NullIfBlank(record.Id)?.Trim();
        if (given is not null)
        {
            if (!_idUses.TryAdd(given, 1)) throw Invalid(record.Line, fields.Id, $"duplicate id '{given}'");
            return given;
        }
        string derived = DatasetIds.FromQuestion(record.Question!);
        int uses = _idUses.TryGetValue(derived, out int seen) ? seen + 1 : 1;
        _idUses[derived] = uses;
        return uses == 1 ? derived : $"{derived}-{uses}";
    }

    DatasetFormatException Invalid(long line, string field, string reason) => new(path, line, field, reason, isParquet);

    static string? NullIfBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
