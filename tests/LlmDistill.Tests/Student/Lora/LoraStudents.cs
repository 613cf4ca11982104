using LlmDistill.Gguf;
using LlmDistill.IO;
using LlmDistill.Models;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Tokenization;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student.Lora;

/// <summary>Tiny random bases written by the project's writer, and students with adapters on them.</summary>
static class LoraStudents
{
    public static readonly TokenizerVocabulary Vocabulary = SmallByteLevelVocabulary.Create();

    public static LlamaModelConfig Tiny(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Llama => LlamaModelConfig.TinyLlama(Vocabulary.Count),
        ModelArchitecture.Qwen2 => LlamaModelConfig.TinyQwen2(Vocabulary.Count),
        _ => LlamaModelConfig.TinyQwen3(Vocabulary.Count),
    };

    /// <summary>Writes a random base of <paramref name="architecture"/> (std 0.3, so distributions are peaked) as <paramref name="type"/>.</summary>
    public static string WriteBase(string path, ModelArchitecture architecture, GgmlType type = GgmlType.F32, int seed = 1234)
    {
        random.manual_seed(seed);
        using var model = new StudentModel(Tiny(architecture), std: 0.3);
        using (no_grad())
            foreach (var (_, parameter) in model.named_parameters())
                if (parameter.dim() == 1) parameter.add_(randn_like(parameter) * 0.1);
        StudentGguf.Export(model, Vocabulary, path, type);
        return path;
    }

    public static LoraOptions Options(int rank = 4, IReadOnlyList<string>? targets = null) =>
        new() { Rank = rank, Alpha = 2.0 * rank, Targets = targets ?? LoraOptions.AllTargets };

    /// <summary>The base at <paramref name="basePath"/> with adapters attached (B = 0, as training starts).</summary>
    public static StudentModel WithAdapters(string basePath, LoraOptions options, int seed = 7)
    {
        var (_, _, model) = StudentGguf.Import(basePath);
        random.manual_seed(seed);
        model.AttachLora(new LoraBase(options, Path.GetFullPath(basePath), FileHash.Sha256(basePath)));
        return model;
    }

    /// <summary>Gives every adapter matrix random values, as if trained, so an adapter that is ignored or misapplied shows.</summary>
    public static void Perturb(StudentModel model, double std = 0.2, int seed = 99)
    {
        random.manual_seed(seed);
        using var _ = no_grad();
        foreach (var (_, parameter) in model.LoraParameters()) parameter.copy_(randn_like(parameter) * std);
    }
}
