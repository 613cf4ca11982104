using System.Globalization;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Tokenization;

namespace LlmDistill.Student;

/// <summary>
/// The student to and from GGUF. Import dequantizes any type the managed reader knows (F32, F16, BF16, Q8_0, Q4_0,
/// Q4_K, Q5_K, Q6_K) to float32; export streams the parameters through <see cref="ModelGgufWriter"/>, tokenizer and chat
/// template included, so llama.cpp runs the file as it runs the teacher.
/// </summary>
public static class StudentGguf
{
    /// <summary>A student holding the weights of a <c>llama</c> or <c>qwen2</c> GGUF, with its config and vocabulary.</summary>
    public static (LlamaModelConfig Config, TokenizerVocabulary Vocabulary, StudentModel Model) Import(string path)
    {
        using var file = GgufFile.Open(path);
        var config = StudentGgufConfig.Read(file);
        return (config, TokenizerGgufMetadata.Read(file.Metadata), Build(config, file, name => name));
    }

    /// <summary>
    /// A student made of chosen teacher blocks (<see cref="TeacherLayerSelection.Parse"/>: <c>every-other</c>,
    /// <c>0,2,4,6</c>, …) stacked in the given order, plus the teacher's embedding, final norm and output projection.
    /// </summary>
    public static (LlamaModelConfig Config, TokenizerVocabulary Vocabulary, StudentModel Model) InitFromTeacherLayers(string teacherPath, string layers)
    {
        using var file = GgufFile.Open(teacherPath);
        var teacher = StudentGgufConfig.Read(file);
        int[] chosen = TeacherLayerSelection.Parse(layers, teacher.BlockCount);
        var config = teacher with { BlockCount = chosen.Length };
        // Student block i reads teacher block chosen[i]: "blk.{i}.rest" → "blk.{chosen[i]}.rest"; other names are shared.
        string TeacherName(string name)
        {
            if (!name.StartsWith("blk.", StringComparison.Ordinal)) return name;
            int dot = name.IndexOf('.', 4);
            return $"blk.{chosen[int.Parse(name.AsSpan(4, dot - 4), CultureInfo.InvariantCulture)]}{name[dot..]}";
        }
        return (config, TokenizerGgufMetadata.Read(file.Metadata), Build(config, file, TeacherName));
    }

    /// <summary>
    /// Writes the student as a GGUF llama.cpp loads (atomically). Matrices become <paramref name="matrixType"/>
    /// (F32 is lossless; F16 and Q8_0 round), norms and biases stay F32. A student with adapters is written merged
    /// (each patched weight as W + α/r · B·A; the model itself is unchanged), naming its base, rank and targets in <c>llmdistill.lora.*</c>.
    /// </summary>
    public static void Export(StudentModel model, TokenizerVocabulary vocabulary, string path, GgmlType matrixType = GgmlType.F16, string name = "llmdistill-student")
    {
        if (model.Lora is not { } lora)
        {
            ModelGgufWriter.Write(path, model.Config, vocabulary, StudentWeights.Source(model), matrixType, name);
            return;
        }
        var writer = ModelGgufWriter.Create(model.Config, vocabulary, StudentWeights.Source(model), matrixType, name);
        Lora.LoraAdapterGguf.WriteProvenance(writer.Metadata, lora);
        writer.Metadata.SetFloat32(Lora.LoraAdapterGguf.MergedAlphaKey, (float)lora.Options.EffectiveAlpha);
        writer.Write(path);
    }

    static StudentModel Build(LlamaModelConfig config, GgufFile file, Func<string, string> fileName)
    {
        var model = new StudentModel(config);
        StudentWeights.Load(model, tensor =>
        {
            var info = file.GetTensor(fileName(tensor.Name));
            if (!info.Dimensions.SequenceEqual(tensor.Shape))
                throw new InvalidDataException($"{file.Path}: tensor {info.Name} has shape [{string.Join(", ", info.Dimensions)}]; the student expects [{string.Join(", ", tensor.Shape)}].");
            return file.DequantizeToFloat(info);
        });
        return model;
    }
}
