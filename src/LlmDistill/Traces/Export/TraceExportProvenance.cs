using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDistill.Traces.Export;

/// <summary>
/// Where an export came from: the sidecar <c>&lt;out&gt;.provenance.json</c> of the JSONL formats, and the
/// <see cref="MetadataKey"/> entry of a parquet-decoded file. <see cref="Teachers"/> holds the distinct
/// <see cref="TraceProvenance"/> of the part files read (one for a folder written by one generate run).
/// </summary>
public sealed record TraceExportProvenance
{
    /// <summary>Parquet key-value metadata key of the JSON.</summary>
    public const string MetadataKey = "llmdistill.export";

    public required string Format { get; init; }
    /// <summary>The trace folder or file read, as given.</summary>
    public required string Source { get; init; }
    public required bool KeepOnly { get; init; }
    public int? IncludeLogprobs { get; init; }
    public string? PromptTemplateSha256 { get; init; }
    public required string ToolVersion { get; init; }
    public required int TraceSchemaVersion { get; init; }
    public required IReadOnlyList<TraceProvenance> Teachers { get; init; }
    /// <summary>Rows in the exported file (sidecar only: Parquet counts its own rows).</summary>
    public long? Rows { get; init; }

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        WriteIndented = true,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TraceExportProvenance FromJson(string json) =>
        JsonSerializer.Deserialize<TraceExportProvenance>(json, Json) ?? throw new FormatException("export provenance JSON is null");

    /// <summary><c>data.jsonl</c> → <c>data.provenance.json</c>.</summary>
    public static string SidecarPath(string outputPath) => Path.ChangeExtension(outputPath, ".provenance.json");
}
