using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Export;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Student;
using LlmDistill.Tokenization;

namespace LlmDistill.Evaluation.Running;

/// <summary>
/// A model to evaluate, resolved to a GGUF llama.cpp can run. The source is a GGUF file, a student checkpoint folder
/// (<see cref="StudentCheckpoint"/>: checkpoint.json + model.gguf), or a training-run folder holding one in
/// <c>checkpoint/</c>. A checkpoint is run from its own model.gguf, or exported on the fly to another weight type.
/// </summary>
internal sealed record ModelUnderTest(string Name, ModelRole Role, string Source, string GgufPath, ModelFileSummary File,
    string TokenizerFingerprint, IReadOnlyList<LossPoint>? LossCurve, string? AdapterPath = null)
{
    /// <summary>The checkpoint folder inside a training-run folder (the trainer's layout).</summary>
    public const string RunCheckpointFolder = "checkpoint";

    /// <param name="exportType">null: run the checkpoint's model.gguf as saved (a LoRA checkpoint: its base with its adapter.gguf); else export the checkpoint, merged, with this matrix type into <paramref name="workFolder"/></param>
    /// <param name="adapter">a LoRA adapter GGUF to run on <paramref name="source"/>, a GGUF file</param>
    public static ModelUnderTest Resolve(string source, ModelRole role, string workFolder, ExportType? exportType = null, string? adapter = null)
    {
        string full = Path.GetFullPath(source);
        if (System.IO.File.Exists(full))
        {
            string stem = Path.GetFileNameWithoutExtension(full);
            return adapter is null ? Describe(stem, role, source, full, null)
                : Describe($"{stem}+{Path.GetFileNameWithoutExtension(adapter)}", role, source, full, null) with { AdapterPath = Path.GetFullPath(adapter) };
        }
        if (!Directory.Exists(full)) throw new FileNotFoundException($"{role.ToString().ToLowerInvariant()} model not found: {source}", source);

        string checkpoint = Directory.Exists(Path.Combine(full, RunCheckpointFolder)) ? Path.Combine(full, RunCheckpointFolder) : full;
        string weights = Path.Combine(checkpoint, StudentCheckpoint.WeightsFile);
        var lora = System.IO.File.Exists(Path.Combine(checkpoint, StudentCheckpoint.ManifestFile)) ? StudentCheckpoint.ReadLora(checkpoint) : null;
        if (lora is not null && exportType is null) weights = lora.BasePath;
        else if (lora is not null) weights = Path.Combine(checkpoint, StudentCheckpoint.AdapterFile);
        if (!System.IO.File.Exists(weights))
            throw new FileNotFoundException($"{source} is neither a GGUF file nor a student checkpoint folder: it has no {StudentCheckpoint.WeightsFile}.", weights);
        // A checkpoint folder inside a run folder is named after the run ("runs/distilled/checkpoint" → distilled).
        var checkpointInfo = new DirectoryInfo(checkpoint);
        string run = checkpointInfo.Name == RunCheckpointFolder && checkpointInfo.Parent is { } parent ? parent.FullName : checkpoint;
        string name = Path.GetFileName(run);
        if (exportType is ExportType type)
        {
            weights = Path.Combine(workFolder, $"{name}-{type.Name()}-{Guid.NewGuid():N}.gguf");
            StudentExport.Export(checkpoint, weights, type, name);
        }
        var described = Describe(name, role, source, weights, Curve(checkpoint, run));
        return lora is not null && exportType is null ? described with { AdapterPath = Path.Combine(checkpoint, StudentCheckpoint.AdapterFile) } : described;
    }

    static ModelUnderTest Describe(string name, ModelRole role, string source, string gguf, IReadOnlyList<LossPoint>? curve)
    {
        var summary = ModelFileSummary.Read(gguf);
        TokenizerVocabulary vocabulary;
        using (var file = GgufFile.Open(gguf))
        {
            if (!file.Metadata.ContainsKey("tokenizer.ggml.tokens"))
                throw new InvalidDataException($"{source} has no tokenizer (tokenizer.ggml.tokens is missing): it cannot answer questions.");
            vocabulary = TokenizerGgufMetadata.Read(file.Metadata);
        }
        return new ModelUnderTest(name, role, source, gguf, summary, Tokenization.TokenizerFingerprint.Compute(vocabulary), curve);
    }

    /// <summary>The training curve from the checkpoint folder's metrics.jsonl, else the run folder's; null when neither has one.</summary>
    static IReadOnlyList<LossPoint>? Curve(string checkpoint, string run)
    {
        foreach (string folder in new[] { checkpoint, run })
        {
            string path = Path.Combine(folder, TrainingCurve.FileName);
            if (System.IO.File.Exists(path)) return TrainingCurve.Read(path);
        }
        return null;
    }

    /// <summary>The facts <c>metrics.json</c> keeps about this model; scores come later.</summary>
    public ModelResult Facts() => new()
    {
        Name = Name, Role = Role, Source = Source, Architecture = File.Architecture, Adapter = AdapterPath, Quantization = File.Quantization,
        Params = File.ParameterCount, FileBytes = File.FileBytes, TrainingCurve = LossCurve is { Count: > 0 } ? LossCurve : null,
    };
}
