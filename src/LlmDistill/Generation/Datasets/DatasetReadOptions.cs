using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Generation.Datasets;

/// <summary>How a question data set is read: which fields hold what, its format and name, what to do with bad rows.</summary>
[OptionGroup]
public sealed record DatasetReadOptions : IValidatedOptions
{
    [Description("Field (JSON property, CSV header, Parquet column) holding the question.")]
    public string QuestionField { get; init; } = "question";

    [Description("Field holding the gold answer (optional in the data; GSM8K's rationale then `#### N` is understood).")]
    public string AnswerField { get; init; } = "answer";

    [Description("Field holding a stable id (derived from the question when absent).")]
    public string IdField { get; init; } = "id";

    [Description("Field holding a separate gold rationale (default: none; GSM8K keeps it inside the answer).")]
    public string? RationaleField { get; init; }

    [OptionName("data-format"), Description("jsonl, csv or parquet (default: from the file extension).")]
    public DatasetFormat? Format { get; init; }

    [OptionName("dataset-name"), Description("The data set's name in trace keys (default: from the file name).")]
    public string? Name { get; init; }

    [Description("The split's name in trace keys (default: from the file name, else 'all').")]
    public string? Split { get; init; }

    [Description("Skip (and count) malformed data set rows instead of stopping at the first.")]
    public bool SkipInvalid { get; init; }

    /// <summary>How many skip messages to keep for the report; the count itself is unbounded.</summary>
    [NotAnOption]
    public int MaxSkipMessages { get; init; } = 10;

    [Description("Keep GSM8K's calculator annotations (<<48/2=24>>) in gold rationales.")]
    public bool KeepCalculatorAnnotations { get; init; }

    /// <summary>The field names as one value, for the record readers.</summary>
    internal DatasetFieldMap Fields => new() { Question = QuestionField, Answer = AnswerField, Id = IdField, Rationale = RationaleField };

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        string.IsNullOrWhiteSpace(QuestionField) ? new OptionError(nameof(QuestionField), "must name a field") : null,
        string.IsNullOrWhiteSpace(AnswerField) ? new OptionError(nameof(AnswerField), "must name a field") : null,
        string.IsNullOrWhiteSpace(IdField) ? new OptionError(nameof(IdField), "must name a field") : null,
    ]);
}
