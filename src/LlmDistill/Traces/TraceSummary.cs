using LlmDistill.Answers;
using LlmDistill.Teacher;

namespace LlmDistill.Traces;

/// <summary>What `llmdistill inspect traces/` shows: schema, provenance, counts, accuracy and one sample trace, streamed.</summary>
public sealed record TraceSummary(
    string Path,
    TraceFileStats Stats,
    IReadOnlyList<string> Columns,
    TraceProvenance? Provenance,
    bool ProvenanceAgrees,
    long Questions,
    long Kept,
    double? Accuracy,
    double? MajorityAccuracy,
    IReadOnlyDictionary<string, long> FinishReasons,
    TraceRecord? Sample)
{
    public static TraceSummary Read(string folderOrFile)
    {
        var files = TracePartFiles.List(folderOrFile);
        if (files.Count == 0) throw new FileNotFoundException($"no trace part files (part-*.parquet) in {folderOrFile}");
        var provenances = files.Select(TraceReader.ReadProvenance).ToList();
        bool agree = provenances.All(p => p with { ToolVersion = "" } == provenances[0] with { ToolVersion = "" });

        long kept = 0, withGold = 0, correct = 0, questions = 0;
        var reasons = new Dictionary<string, long>();
        // Majority correctness per question: one flag per example id is all that is kept in memory.
        var majorityCorrect = new Dictionary<string, bool>();
        TraceRecord? sample = null;
        foreach (var row in TraceReader.Read(folderOrFile))
        {
            sample ??= row;
            if (row.Keep) kept++;
            if (row.SampleIndex == 0) questions++;
            if (row.Correct is bool ok) { withGold++; if (ok) correct++; }
            string reason = row.FinishReason.ToName();
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            if (row.GoldAnswer is not null && row.SampleIndex == 0)
                majorityCorrect[$"{row.Dataset}/{row.Split}/{row.ExampleId}"] = row.MajorityAnswer is not null && AnswerComparer.Equivalent(row.MajorityAnswer, row.GoldAnswer);
        }
        var stats = TraceFileStats.Measure(files);
        return new TraceSummary(folderOrFile, stats, [.. TraceSchema.Create().Schema.Fields.Select(Describe)], provenances[0], agree,
            questions, kept,
            withGold == 0 ? null : correct / (double)withGold,
            majorityCorrect.Count == 0 ? null : majorityCorrect.Values.Count(v => v) / (double)majorityCorrect.Count,
            reasons, sample);
    }

    /// <summary>A column as "name: type", lists as "name: list&lt;type&gt;", in Parquet's own type words.</summary>
    static string Describe(Parquet.Schema.Field field) => field switch
    {
        Parquet.Schema.ListField list => $"{list.Name}: list<{TypeName(list.Item)}>",
        _ => $"{field.Name}: {TypeName(field)}",
    };

    static string TypeName(Parquet.Schema.Field field) => field is not Parquet.Schema.DataField data ? field.SchemaType.ToString().ToLowerInvariant()
        : data.ClrType == typeof(string) || data.ClrType == typeof(ReadOnlyMemory<char>) ? "string"
        : data.ClrType == typeof(bool) ? "boolean"
        : data.ClrType == typeof(float) ? "float"
        : data.ClrType.Name.ToLowerInvariant(); // int32, uint16, ...
}
