using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDistill.Traces;

/// <summary>
/// Where a trace file came from: the teacher, its tokenizer, the generation settings and the tool. Stored as JSON
/// (snake_case keys) under <see cref="TraceSchema.ProvenanceKey"/> in every part file's key-value metadata.
/// </summary>
public sealed record TraceProvenance
{
    /// <summary>File name of the teacher GGUF, without folder.</summary>
    public required string TeacherFileName { get; init; }
    /// <summary>Teacher file size, bytes.</summary>
    public required long TeacherFileSize { get; init; }
    /// <summary>SHA-256 of the teacher file, lower-case hex.</summary>
    public required string TeacherSha256 { get; init; }
    /// <summary>general.architecture, e.g. llama, qwen2.</summary>
    public required string Architecture { get; init; }
    /// <summary>The weights' type, e.g. Q4_K_M, F16.</summary>
    public required string Quantization { get; init; }
    /// <summary>LlmDistill.Tokenization.TokenizerFingerprint of the teacher's vocabulary.</summary>
    public required string TokenizerFingerprint { get; init; }

    /// <summary>Sampling temperature; 0 = greedy. The stored logprobs are at temperature 1 whatever this is.</summary>
    public required float Temperature { get; init; }
    public required float TopP { get; init; }
    /// <summary>The sampler's top-k cut (0 = off); not the number of captured alternatives.</summary>
    public required int TopKSampling { get; init; }
    public float MinP { get; init; }
    public required long Seed { get; init; }
    /// <summary>Alternatives captured per token (k of top_ids / top_logprob_gap_q).</summary>
    public required int CaptureTopK { get; init; }
    /// <summary>Context length, tokens.</summary>
    public required int ContextSize { get; init; }
    public required int MaxTokens { get; init; }
    /// <summary>Samples generated per question (self-consistency).</summary>
    public int Samples { get; init; } = 1;
    public required string PromptTemplateName { get; init; }
    /// <summary>SHA-256 of the prompt template text, lower-case hex.</summary>
    public required string PromptTemplateSha256 { get; init; }

    /// <summary>LlmDistill version that wrote the file.</summary>
    public required string ToolVersion { get; init; }
    public int SchemaVersion { get; init; } = TraceSchema.Version;

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The provenance of gold traces (<see cref="TraceRecord.Gold"/>): a data set in the teacher's place, named by
    /// <paramref name="source"/>, its size and hash; no sampling; the vocabulary's fingerprint, which `train` checks.
    /// </summary>
    public static TraceProvenance Gold(string source, long size, string sha256, Tokenization.TokenizerVocabulary vocabulary,
        string templateName, string templateSha256, string toolVersion) => new()
    {
        TeacherFileName = source, TeacherFileSize = size, TeacherSha256 = sha256,
        Architecture = "none", Quantization = "none", TokenizerFingerprint = Tokenization.TokenizerFingerprint.Compute(vocabulary),
        Temperature = 0, TopP = 1, TopKSampling = 0, Seed = 0, CaptureTopK = 0, ContextSize = 0, MaxTokens = 0,
        PromptTemplateName = templateName, PromptTemplateSha256 = templateSha256, ToolVersion = toolVersion,
    };

    public static TraceProvenance FromJson(string json) =>
        JsonSerializer.Deserialize<TraceProvenance>(json, Json) ?? throw new FormatException("provenance JSON is null");
}
