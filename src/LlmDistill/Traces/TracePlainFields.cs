using Parquet.Schema;

namespace LlmDistill.Traces;

/// <summary>
/// The trace schema's plain columns (everything but the per-token teacher distribution), shared by the trace files
/// (<see cref="TraceFields"/>) and the decoded export, which differ only in how they store that distribution.
/// A Parquet.Net field belongs to one schema, so each instance makes its own.
/// </summary>
internal abstract class TracePlainFields
{
    public DataField<string> Key { get; } = new("key", nullable: false);
    public DataField<string> Dataset { get; } = new("dataset", nullable: false);
    public DataField<string> Split { get; } = new("split", nullable: false);
    public DataField<string> ExampleId { get; } = new("example_id", nullable: false);
    public DataField<int> SampleIndex { get; } = new("sample_index", nullable: false);
    public DataField<string> Question { get; } = new("question", nullable: false);
    public DataField<string> GoldAnswer { get; } = new("gold_answer", nullable: true);
    public DataField<string> PromptText { get; } = new("prompt_text", nullable: false);
    public DataField<int> PromptTokenIds { get; } = Element<int>();
    public DataField<string> CompletionText { get; } = new("completion_text", nullable: false);
    public DataField<int> CompletionTokenIds { get; } = Element<int>();
    public DataField<string> Rationale { get; } = new("rationale", nullable: false);
    public DataField<string> Answer { get; } = new("answer", nullable: true);
    public DataField<string> FinishReason { get; } = new("finish_reason", nullable: false);
    public DataField<string> Error { get; } = new("error", nullable: true);
    public DataField<bool> Correct { get; } = new("correct", nullable: true);
    public DataField<string> MajorityAnswer { get; } = new("majority_answer", nullable: true);
    public DataField<bool> AgreesWithMajority { get; } = new("agrees_with_majority", nullable: true);
    public DataField<bool> Keep { get; } = new("keep", nullable: false);
    /// <summary>Alternatives per completion token in this file.</summary>
    public DataField<int> TopK { get; } = new("top_k", nullable: false);

    /// <summary>The plain columns in schema order, <c>top_k</c> last; the distribution's columns follow them.</summary>
    protected Field[] PlainColumns() =>
    [
        Key, Dataset, Split, ExampleId, SampleIndex,
        Question, GoldAnswer, PromptText, new ListField("prompt_token_ids", PromptTokenIds),
        CompletionText, new ListField("completion_token_ids", CompletionTokenIds), Rationale, Answer,
        FinishReason, Error, Correct, MajorityAnswer, AgreesWithMajority, Keep,
        TopK,
    ];

    protected static DataField<T> Element<T>() => new(ListField.ElementName, nullable: false);
}
