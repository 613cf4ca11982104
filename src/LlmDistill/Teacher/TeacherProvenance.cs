using System.Reflection;
using LlmDistill.IO;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Teacher;

/// <summary>The provenance fields that name a teacher file (name, size, sha256, architecture, quantization, tokenizer) and the tool.</summary>
internal static class TeacherProvenance
{
    /// <summary>
    /// Provenance naming the teacher at <paramref name="teacherPath"/> (hashes the file); the generation settings are
    /// neutral placeholders for the caller to set with <c>with</c>.
    /// </summary>
    public static TraceProvenance Of(string teacherPath, string architecture)
    {
        ModelFileSummary summary;
        TokenizerVocabulary vocabulary;
        using (var file = GgufFile.Open(teacherPath))
        {
            summary = ModelFileSummary.Of(file, teacherPath);
            vocabulary = TokenizerGgufMetadata.Read(file.Metadata);
        }
        string sha = FileHash.Sha256(teacherPath);
        return new TraceProvenance
        {
            TeacherFileName = Path.GetFileName(teacherPath), TeacherFileSize = new FileInfo(teacherPath).Length, TeacherSha256 = sha,
            Architecture = architecture, Quantization = summary.Quantization, TokenizerFingerprint = TokenizerFingerprint.Compute(vocabulary),
            Temperature = 1, TopP = 1, TopKSampling = 0, Seed = 0, CaptureTopK = 0, ContextSize = 0, MaxTokens = 0,
            PromptTemplateName = "", PromptTemplateSha256 = "",
            ToolVersion = typeof(TeacherProvenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev",
        };
    }

    /// <summary>How a remote teacher is named in provenance: its model id and servers; the file hashed is its tokenizer GGUF.</summary>
    public static string RemoteName(string modelId, IEnumerable<Uri> servers, string tokenizerPath) =>
        $"{modelId} at {string.Join(" ", servers)} (tokenizer {Path.GetFileName(tokenizerPath)})";

    /// <summary><paramref name="traces"/>' provenance with the teacher fields and tool version of <paramref name="teacher"/>: how a re-scored file describes itself.</summary>
    public static TraceProvenance WithTeacher(TraceProvenance traces, TraceProvenance teacher) => traces with
    {
        TeacherFileName = teacher.TeacherFileName, TeacherFileSize = teacher.TeacherFileSize, TeacherSha256 = teacher.TeacherSha256,
        Architecture = teacher.Architecture, Quantization = teacher.Quantization, TokenizerFingerprint = teacher.TokenizerFingerprint,
        ToolVersion = teacher.ToolVersion, SchemaVersion = TraceSchema.Version,
    };
}
