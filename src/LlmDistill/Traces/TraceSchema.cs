using Parquet.Schema;

namespace LlmDistill.Traces;

/// <summary>
/// The Parquet schema of trace part files (docs/trace-schema.md describes every column). Lists are standard
/// three-level Parquet LISTs of required primitives, one entry per completion token. The two [n × top_k] columns
/// are BYTE_ARRAY blobs in the byte-stream-split layout of <see cref="RowByteStreamSplit"/>, which standard INT32
/// lists cannot match in size (docs/trace-schema.md, "Why blobs").
/// </summary>
internal static class TraceSchema
{
    /// <summary>
    /// Version of the column layout and encoding. Readers accept files of this version only: a change that
    /// alters how an existing column is read bumps it (see docs/trace-schema.md, versioning).
    /// </summary>
    public const int Version = 1;

    /// <summary>File key-value metadata key holding <see cref="Version"/> as decimal text.</summary>
    public const string VersionKey = "llmdistill.trace_schema_version";
    /// <summary>File key-value metadata key holding the <see cref="TraceProvenance"/> JSON.</summary>
    public const string ProvenanceKey = "llmdistill.provenance";

    /// <summary>Columns holding the completion ids and the teacher distribution, [n] or [n × k] values per row.</summary>
    public static IReadOnlyList<string> PerTokenColumns { get; } =
        ["completion_token_ids", "sampled_logprob_q", "top_ids_bss", "top_logprob_gap_bss", "tail_mass_q"];

    /// <summary>A new schema with its own field objects (a Parquet.Net field belongs to one schema).</summary>
    public static TraceFields Create() => new();
}

/// <summary>The data fields of one <see cref="TraceSchema"/> instance, in column order.</summary>
internal sealed class TraceFields
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
    public DataField<int> TopK { get; } = new("top_k", nullable: false);
    /// <summary>[n] codes of log p(sampled token), see <see cref="TopKEncoding"/>.</summary>
    public DataField<ushort> SampledLogprobQ { get; } = Element<ushort>();
    /// <summary>[n × k] int32 token ids, row-major, best first per token, byte-stream-split.</summary>
    public DataField<byte[]> TopIdsBss { get; } = new("top_ids_bss", nullable: false);
    /// <summary>[n × k] uint16 gap codes of the top-k log-probabilities, row-major (<see cref="TopKEncoding.EncodeTopLogprobs"/>), byte-stream-split.</summary>
    public DataField<byte[]> TopLogprobGapBss { get; } = new("top_logprob_gap_bss", nullable: false);
    /// <summary>[n] codes of ln(tail mass).</summary>
    public DataField<ushort> TailMassQ { get; } = Element<ushort>();

    public ParquetSchema Schema { get; }

    internal TraceFields()
    {
        Schema = new ParquetSchema(
            Key, Dataset, Split, ExampleId, SampleIndex,
            Question, GoldAnswer, PromptText, new ListField("prompt_token_ids", PromptTokenIds),
            CompletionText, new ListField("completion_token_ids", CompletionTokenIds), Rationale, Answer,
            FinishReason, Error, Correct, MajorityAnswer, AgreesWithMajority, Keep,
            TopK,
            new ListField("sampled_logprob_q", SampledLogprobQ),
            TopIdsBss,
            TopLogprobGapBss,
            new ListField("tail_mass_q", TailMassQ));
    }

    static DataField<T> Element<T>() => new(ListField.ElementName, nullable: false);
}
