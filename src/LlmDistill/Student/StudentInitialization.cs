using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Tokenization;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>A student ready to train, the vocabulary it shares with the teacher, and where its weights came from.</summary>
public sealed record InitializedStudent(StudentModel Model, TokenizerVocabulary Vocabulary, string Origin);

/// <summary>The three ways a student starts: random weights, a smaller pretrained GGUF, or chosen teacher layers.</summary>
public static class StudentInitialization
{
    /// <summary>
    /// Random weights (seeded) in <paramref name="shape"/>, in the family and vocabulary of the teacher GGUF at
    /// <paramref name="teacherPath"/> (its weights are not read).
    /// </summary>
    public static InitializedStudent Random(StudentShape shape, string teacherPath, long seed)
    {
        using var file = GgufFile.Open(teacherPath);
        var m = file.Metadata;
        string arch = m.GetString("general.architecture");
        var architecture = arch switch
        {
            "llama" => ModelArchitecture.Llama,
            "qwen2" => ModelArchitecture.Qwen2,
            "qwen3" => ModelArchitecture.Qwen3,
            _ => throw new NotSupportedException($"{teacherPath}: the student implements the llama and qwen2 families, not '{arch}'."),
        };
        var vocabulary = TokenizerGgufMetadata.Read(m);
        var config = shape.For(architecture, vocabulary.Count,
            m.TryGetFloat32($"{arch}.rope.freq_base", out float freqBase) ? freqBase : 10000f,
            m.GetFloat32($"{arch}.attention.layer_norm_rms_epsilon"));
        TorchRuntime.EnsureLoadable(); // before the first torch call: manual_seed runs torch's type initializer
        random.manual_seed(seed);
        return new InitializedStudent(new StudentModel(config), vocabulary, $"random (seed {seed}) in {Path.GetFileName(teacherPath)}'s family and vocabulary");
    }

    /// <summary>The weights of a smaller pretrained model of the teacher's family (<see cref="StudentGguf.Import"/>).</summary>
    public static InitializedStudent FromGguf(string path)
    {
        var (_, vocabulary, model) = StudentGguf.Import(path);
        return new InitializedStudent(model, vocabulary, $"weights of {Path.GetFileName(path)}");
    }

    /// <summary>The teacher's embedding, final norm, output and the chosen blocks (<see cref="StudentGguf.InitFromTeacherLayers"/>).</summary>
    public static InitializedStudent FromTeacherLayers(string teacherPath, LayerSelection layers)
    {
        var (_, vocabulary, model) = StudentGguf.InitFromTeacherLayers(teacherPath, layers.Text);
        return new InitializedStudent(model, vocabulary, $"blocks {layers} of {Path.GetFileName(teacherPath)}");
    }
}
