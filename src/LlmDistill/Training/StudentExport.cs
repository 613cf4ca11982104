using LlmDistill.Gguf;
using LlmDistill.Native;
using LlmDistill.Student;

namespace LlmDistill.Training;

/// <summary>
/// A trained student to a GGUF llama.cpp runs. F32, F16, BF16 and Q8_0 are written by the managed writer; llama.cpp's
/// quantizer makes the other types from an F32 intermediate (a student is small, and quantizing from F32 rounds once).
/// </summary>
public static class StudentExport
{
    /// <summary>Types by their command-line name: managed matrix types first, then llama_model_quantize file types.</summary>
    public static IReadOnlyDictionary<string, GgmlType> ManagedTypes { get; } = new Dictionary<string, GgmlType>
    {
        ["f32"] = GgmlType.F32, ["f16"] = GgmlType.F16, ["bf16"] = GgmlType.BF16, ["q8_0"] = GgmlType.Q8_0,
    };

    public static IReadOnlyDictionary<string, LlamaFtype> QuantizedTypes { get; } = new Dictionary<string, LlamaFtype>
    {
        ["q4_0"] = LlamaFtype.MostlyQ4_0, ["q5_0"] = LlamaFtype.MostlyQ5_0, ["q3_k_m"] = LlamaFtype.MostlyQ3_K_M,
        ["q4_k_s"] = LlamaFtype.MostlyQ4_K_S, ["q4_k_m"] = LlamaFtype.MostlyQ4_K_M,
        ["q5_k_s"] = LlamaFtype.MostlyQ5_K_S, ["q5_k_m"] = LlamaFtype.MostlyQ5_K_M, ["q6_k"] = LlamaFtype.MostlyQ6_K,
    };

    public static IEnumerable<string> TypeNames => ManagedTypes.Keys.Concat(QuantizedTypes.Keys);

    /// <summary>
    /// Writes the student of <paramref name="checkpoint"/> (a checkpoint folder, or a run folder holding one) to
    /// <paramref name="output"/> as <paramref name="type"/>; returns the checkpoint folder read.
    /// </summary>
    public static string Export(string checkpoint, string output, string type, string name = "llmdistill-student")
    {
        string key = type.Trim().ToLowerInvariant();
        if (!ManagedTypes.ContainsKey(key) && !QuantizedTypes.ContainsKey(key))
            throw new ArgumentException($"Unknown export type '{type}': use one of {string.Join(", ", TypeNames)}.");
        string folder = CheckpointFolder(checkpoint);
        var student = StudentCheckpoint.Load(folder);
        using var model = student.Model;
        if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } parent) Directory.CreateDirectory(parent);
        if (ManagedTypes.TryGetValue(key, out var managed))
        {
            StudentGguf.Export(model, student.Vocabulary, output, managed, name);
            return folder;
        }
        string intermediate = $"{output}.f32-{Environment.ProcessId}.gguf";
        try
        {
            StudentGguf.Export(model, student.Vocabulary, intermediate, GgmlType.F32, name);
            LlamaQuantizer.Quantize(intermediate, output, QuantizedTypes[key]);
        }
        finally
        {
            File.Delete(intermediate);
        }
        return folder;
    }

    /// <summary><paramref name="path"/> itself when it is a checkpoint, else its <c>checkpoint/</c> subfolder.</summary>
    public static string CheckpointFolder(string path)
    {
        if (File.Exists(Path.Combine(path, StudentCheckpoint.ManifestFile))) return path;
        string inner = Path.Combine(path, Trainer.CheckpointFolderName);
        if (File.Exists(Path.Combine(inner, StudentCheckpoint.ManifestFile))) return inner;
        throw new DirectoryNotFoundException($"{path} holds no student checkpoint (no {StudentCheckpoint.ManifestFile} in it or in its {Trainer.CheckpointFolderName}/ folder).");
    }
}
