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
internal sealed class TraceFields : TracePlainFields
{
    /// <summary>[n] codes of log p(sampled token), see <see cref="TopKEncoding"/>.</summary>
    public DataField<ushort> SampledLogprobQ { get; } = Element<ushort>();
    /// <summary>[n × k] int32 token ids, row-major, best first per token, byte-stream-split.</summary>
    public DataField<byte[]> TopIdsBss { get; } = new("top_ids_bss", nullable: false);
    /// <summary>[n × k] uint16 gap codes of the top-k log-probabilities, row-major (<see cref="TopKEncoding.EncodeTopLogprobs"/>), byte-stream-split.</summary>
    public DataField<byte[]> TopLogprobGapBss { get; } = new("top_logprob_gap_bss", nullable: false);
    /// <summary>[n] codes of ln(tail mass).</summary>
    public DataField<ushort> TailMassQ { get; } = Element<ushort>();

    public ParquetSchema Schema { get; }

    internal TraceFields() => Schema = new ParquetSchema(
        [.. PlainColumns(), new ListField("sampled_logprob_q", SampledLogprobQ), TopIdsBss, TopLogprobGapBss, new ListField("tail_mass_q", TailMassQ)]);
}
