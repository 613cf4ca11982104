using Parquet.Schema;

namespace LlmDistill.Traces.Export;

/// <summary>
/// The columns of a parquet-decoded export: the trace schema's plain columns as they are, and the encoded ones as
/// plain lists any Parquet reader understands without our decoder (docs/trace-export.md). Per-token lists have one
/// entry per completion token; <c>top_ids</c>/<c>top_logprobs</c> hold <c>top_k</c> entries per token, best first.
/// </summary>
sealed class DecodedTraceSchema : TracePlainFields
{
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
        [.. PlainColumns(),
        new ListField("sampled_logprob", SampledLogprob),
        new ListField("top_ids", new ListField(ListField.ElementName, TopIds)),
        new ListField("top_logprobs", new ListField(ListField.ElementName, TopLogprobs)),
        new ListField("tail_logprob", TailLogprob)]);
}
