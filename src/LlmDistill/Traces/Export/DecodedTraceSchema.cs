using Parquet.Schema;

namespace LlmDistill.Traces.Export;

/// <summary>
/// The columns of a parquet-decoded export: the trace schema's plain columns as they are, and the encoded ones as
/// plain lists any Parquet reader understands without our decoder (docs/trace-export.md). Per-token lists have one
/// entry per completion token; <c>top_ids</c>/<c>top_logprobs</c> hold <c>top_k</c> entries per token, best first.
/// </summary>
sealed class DecodedTraceSchema
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
    /// <summary>Alternatives per token in this file (the traces' k, or fewer when the export was asked for fewer).</summary>
    public DataField<int> TopK { get; } = new("top_k", nullable: false);
    /// <summary>[n] log p(sampled token), nats.</summary>
    public DataField<float> SampledLogprob { get; } = Element<float>();
    /// <summary>[n][top_k] token ids.</summary>
    public DataField<int> TopIds { get; } = Element<int>();
    /// <summary>[n][top_k] log-probabilities, nats, descending per token.</summary>
    public DataField<float> TopLogprobs { get; } = Element<float>();
    /// <summary>[n] ln(1 − Σ top-k p) of the traces' k; −∞ when the top-k hold all the mass.</summary>
    public DataField<float> TailLogprob { get; } = Element<float>();

    public ParquetSchema Schema { get; }

    public DecodedTraceSchema() => Schema = new ParquetSchema(
        Key, Dataset, Split, ExampleId, SampleIndex, Question, GoldAnswer, PromptText,
        new ListField("prompt_token_ids", PromptTokenIds), CompletionText,
        new ListField("completion_token_ids", CompletionTokenIds), Rationale, Answer, FinishReason, Error, Correct,
        MajorityAnswer, AgreesWithMajority, Keep, TopK,
        new ListField("sampled_logprob", SampledLogprob),
        new ListField("top_ids", new ListField(ListField.ElementName, TopIds)),
        new ListField("top_logprobs", new ListField(ListField.ElementName, TopLogprobs)),
        new ListField("tail_logprob", TailLogprob));

    static DataField<T> Element<T>() => new(ListField.ElementName, nullable: false);
}
