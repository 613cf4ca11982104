using LlmDistill.IO;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Student.Lora;
using LlmDistill.Tokenization;

namespace LlmDistill.Student;

/// <summary>
/// A student saved as a folder that describes itself:
/// <list type="bullet">
/// <item><c>checkpoint.json</c>: format name and version, the <see cref="LlamaModelConfig"/>, and the caller's extra JSON
/// (training step, loss, data position, …).</item>
/// <item><c>model.gguf</c>: the weights as an F32 GGUF written by <see cref="StudentGguf.Export"/>, tokenizer and chat
/// template included: bit-exact, streamed tensor by tensor, and runnable by llama.cpp as it is.</item>
/// <item>or, for a student that trains LoRA adapters on a frozen base, <c>adapter.gguf</c> instead
/// (<see cref="LoraAdapterGguf"/>; llama.cpp runs it on the base), with the base's path and SHA-256 in the manifest.</item>
/// </list>
/// Optimizer state is the trainer's to add beside these files.
/// </summary>
public sealed record StudentCheckpoint(LlamaModelConfig Config, TokenizerVocabulary Vocabulary, StudentModel Model, JsonObject Extra)
{
    public const string Format = "llmdistill-student-checkpoint";
    public const int Version = 1;
    public const string ManifestFile = "checkpoint.json";
    public const string WeightsFile = "model.gguf";
    public const string AdapterFile = "adapter.gguf";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    sealed record Manifest(string Format, int Version, LlamaModelConfig Config, JsonObject? Extra, LoraBase? Lora = null);

    /// <summary>
    /// Writes the checkpoint into a sibling temporary folder, then renames it to <paramref name="folder"/> (replacing an
    /// older checkpoint there), so a crash leaves the previous checkpoint or the new one, never a half-written folder.
    /// </summary>
    public static void Save(string folder, StudentModel model, TokenizerVocabulary vocabulary, JsonObject? extra = null)
    {
        string target = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        string temp = $"{target}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(temp);
        try
        {
            if (model.Lora is null) StudentGguf.Export(model, vocabulary, Path.Combine(temp, WeightsFile), GgmlType.F32);
            else LoraAdapterGguf.Write(model, Path.Combine(temp, AdapterFile));
            var manifest = new Manifest(Format, Version, model.Config, extra, model.Lora);
            File.WriteAllText(Path.Combine(temp, ManifestFile), JsonSerializer.Serialize(manifest, Json));
            FolderSwap.Replace(temp, target);
        }
        catch
        {
            if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true);
            throw;
        }
    }

    /// <summary>Reads a folder written by <see cref="Save"/>.</summary>
    public static StudentCheckpoint Load(string folder)
    {
        string manifestPath = Path.Combine(folder, ManifestFile);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"{folder} is not a student checkpoint: it has no {ManifestFile}.", manifestPath);
        var manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json)
            ?? throw new InvalidDataException($"{manifestPath} is empty.");
        if (manifest.Format != Format)
            throw new InvalidDataException($"{manifestPath} has format '{manifest.Format}', not '{Format}'.");
        if (manifest.Version != Version)
            throw new InvalidDataException($"{manifestPath} has version {manifest.Version}; this build reads version {Version}: load it with the release that wrote it and save it again.");
        var (config, vocabulary, model) = manifest.Lora is { } lora ? ImportLora(folder, lora) : StudentGguf.Import(Path.Combine(folder, WeightsFile));
        if (config != manifest.Config)
        {
            model.Dispose();
            throw new InvalidDataException($"{folder}: {WeightsFile} holds a model of config {config}, but {ManifestFile} says {manifest.Config}; the two files come from different checkpoints.");
        }
        return new StudentCheckpoint(config, vocabulary, model, manifest.Extra ?? []);
    }

    /// <summary>The manifest's LoRA base, or null for a student whose every weight is in <see cref="WeightsFile"/>.</summary>
    public static LoraBase? ReadLora(string folder) =>
        JsonSerializer.Deserialize<Manifest>(File.ReadAllText(Path.Combine(folder, ManifestFile)), Json)?.Lora;

    /// <summary>The vocabulary of the checkpoint in <paramref name="folder"/> (from its weights, or from its LoRA base).</summary>
    public static TokenizerVocabulary ReadVocabulary(string folder) =>
        TokenizerGgufMetadata.ReadFile(ReadLora(folder) is { } lora ? lora.BasePath : Path.Combine(folder, WeightsFile));

    /// <summary>The frozen base (refused when its content changed since training began) with the saved adapters on it.</summary>
    static (LlamaModelConfig, TokenizerVocabulary, StudentModel) ImportLora(string folder, LoraBase lora)
    {
        if (!File.Exists(lora.BasePath))
            throw new FileNotFoundException($"{folder} trains adapters on the base {lora.BasePath}, which no longer exists; put it back at that path to use the checkpoint.", lora.BasePath);
        string sha = FileHash.Sha256(lora.BasePath);
        if (sha != lora.BaseSha256)
            throw new InvalidDataException($"{folder} trains adapters on {lora.BasePath} with sha256 {lora.BaseSha256[..12]}…, but that file now has sha256 {sha[..12]}…: the base changed.");
        var (config, vocabulary, model) = StudentGguf.Import(lora.BasePath);
        try
        {
            model.AttachLora(lora);
            LoraAdapterGguf.Load(model, Path.Combine(folder, AdapterFile));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return (config, vocabulary, model);
    }
}
