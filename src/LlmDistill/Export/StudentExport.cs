using LlmDistill.Gguf;
using LlmDistill.IO;
using LlmDistill.Native;
using LlmDistill.Options;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Training;

namespace LlmDistill.Export;

/// <summary>
/// A trained student to a GGUF llama.cpp runs. F32, F16, BF16 and Q8_0 are written by the managed writer; llama.cpp's
/// quantizer makes the other types from an F32 intermediate (a student is small, and quantizing from F32 rounds once).
/// </summary>
public static class StudentExport
{
    /// <summary>Writes the student of <see cref="ExportSettings.Checkpoint"/>; returns the checkpoint folder read.</summary>
    public static string Export(ExportSettings settings)
    {
        OptionsException.ThrowIfInvalid(settings);
        using var outputLock = RunFolderLock.Beside(settings.OutputPath, "export");
        OutputLeftovers.Clear(settings.OutputPath); // temporaries of a killed export
        if (!settings.Adapter) return Export(settings.Checkpoint, settings.OutputPath, settings.Type, settings.Name);
        string folder = CheckpointFolder(settings.Checkpoint);
        if (StudentCheckpoint.ReadLora(folder) is null)
            throw OptionsException.For<ExportSettings>(nameof(ExportSettings.Adapter), $"needs a run that trained LoRA adapters; {folder} trained every weight, so export it as a model");
        var student = StudentCheckpoint.Load(folder);
        using var model = student.Model;
        if (Path.GetDirectoryName(Path.GetFullPath(settings.OutputPath)) is { } parent) Directory.CreateDirectory(parent);
        LoraAdapterGguf.Write(model, settings.OutputPath, settings.Name);
        return folder;
    }

    /// <summary>
    /// Writes the student of <paramref name="checkpoint"/> (a checkpoint folder, or a run folder holding one) to
    /// <paramref name="output"/> as <paramref name="type"/>; returns the checkpoint folder read.
    /// </summary>
    public static string Export(string checkpoint, string output, ExportType type, string name = "llmdistill-student")
    {
        string folder = CheckpointFolder(checkpoint);
        var student = StudentCheckpoint.Load(folder);
        using var model = student.Model;
        if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } parent) Directory.CreateDirectory(parent);
        if (type.Managed() is GgmlType managed)
        {
            StudentGguf.Export(model, student.Vocabulary, output, managed, name);
            return folder;
        }
        string intermediate = $"{output}.f32-{Environment.ProcessId}.gguf";
        try
        {
            StudentGguf.Export(model, student.Vocabulary, intermediate, GgmlType.F32, name);
            LlamaQuantizer.Quantize(intermediate, output, type.Quantized()!.Value);
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
