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
        // A model preset brings its own family; a size preset takes the teacher's, which must be one the student implements.
        var architecture = shape.Architecture ?? LlamaModelConfig.ParseArchitecture(arch)
            ?? throw new NotSupportedException($"{teacherPath}: the student implements the llama, qwen2, qwen3 and gemma3 families, not '{arch}'; choose a preset that names its family ({string.Join(", ", StudentShape.Presets.Where(p => p.Value.Architecture is not null).Select(p => p.Key))}).");
        var vocabulary = TokenizerGgufMetadata.Read(m);
        var config = shape.For(architecture, vocabulary.Count,
            m.TryGetFloat32($"{arch}.rope.freq_base", out float freqBase) ? freqBase : 10000f,
            m.TryGetFloat32($"{arch}.attention.layer_norm_rms_epsilon", out float eps) ? eps : 1e-6f,
            m.TryGetInt32($"{arch}.attention.sliding_window", out int window) && window > 0 ? window : null);
        TorchRuntime.EnsureLoadable(); // before the first torch call: manual_seed runs torch's type initializer
        random.manual_seed(seed);
        var model = new StudentModel(config);
        if (config.RopeFreqFactors) model.SetRopeFactors(shape.RopeScaling!.Factors(config.HeadSize, config.RopeFreqBase));
        return new InitializedStudent(model, vocabulary,
            config.ArchitectureName == arch
                ? $"random (seed {seed}) in {Path.GetFileName(teacherPath)}'s family and vocabulary"
                : $"random (seed {seed}) {config.ArchitectureName} in {Path.GetFileName(teacherPath)}'s vocabulary");
    }

    /// <summary>
    /// The weights of a pretrained GGUF (<see cref="StudentGguf.Import"/>); with <paramref name="shape"/>, the file must
    /// have that shape (a model preset names the model the file should be), checked before any weight is read.
    /// </summary>
    public static InitializedStudent FromGguf(string path, StudentShape? shape, string? shapeName = null)
    {
        if (shape is not null)
        {
            using var file = GgufFile.Open(path);
            if (shape.DifferenceFrom(StudentGgufConfig.Read(file)) is { } difference)
                throw new InvalidDataException($"{path} is not a {shapeName ?? "model of the given shape"}: it has {difference}.");
        }
        return FromGguf(path);
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
