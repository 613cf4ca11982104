using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Native;
using LlmDistill.Tokenization;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

/// <summary>
/// The student exported to F32 GGUF and run by llama.cpp computes the student's own logits: the proof that the
/// TorchSharp graph (RoPE style, GQA, norms, tied output) and the tensor layout equal llama.cpp's for each architecture.
/// </summary>
[Collection(LlamaCollection.Name)]
public class TestStudentParity
{
    readonly ITestOutputHelper output;

    public TestStudentParity(ITestOutputHelper output)
    {
        this.output = output;
        TorchRuntime.EnsureLoadable();
    }

    const float Tolerance = 1e-3f;
    const float TieGap = 1e-4f;

    public static TheoryData<ModelArchitecture> Architectures => [ModelArchitecture.Llama, ModelArchitecture.Qwen2, ModelArchitecture.Qwen3, ModelArchitecture.Gemma3];

    /// <summary>The tiny test config of each family (also the recomputation tests' students).</summary>
    internal static LlamaModelConfig Tiny(ModelArchitecture architecture, int vocabSize) => architecture switch
    {
        ModelArchitecture.Llama => LlamaModelConfig.TinyLlama(vocabSize),
        ModelArchitecture.Qwen2 => LlamaModelConfig.TinyQwen2(vocabSize),
        ModelArchitecture.Qwen3 => LlamaModelConfig.TinyQwen3(vocabSize),
        _ => LlamaModelConfig.TinyGemma3(vocabSize),
    };

    /// <summary>
    /// A random student with weights large enough (std 0.3) that next-token distributions are peaked. Its GELU (Gemma3) is
    /// rounded through F16 as llama.cpp's CPU backend does; with the exact GELU the gap is 2.7e-3 (see docs/students.md).
    /// </summary>
    static StudentModel RandomStudent(LlamaModelConfig config)
    {
        random.manual_seed(1234);
        var model = new StudentModel(config, std: 0.3);
        model.RoundGeluLikeGgmlCpu();
        using var _ = no_grad();
        // Non-trivial norm weights and biases, so a misplaced norm or bias cannot hide behind ones and zeros.
        foreach (var (name, parameter) in model.named_parameters())
            if (parameter.dim() == 1) parameter.add_(randn_like(parameter) * 0.1);
        return model;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Llama_cpp_computes_the_students_logits_at_every_position(ModelArchitecture architecture)
    {
        using var dir = new TempDirectory();
        var vocabulary = SmallByteLevelVocabulary.Create();
        var model = RandomStudent(Tiny(architecture, vocabulary.Count));
        string path = dir.File("student.gguf");
        StudentGguf.Export(model, vocabulary, path, GgmlType.F32);

        int[] tokens = Enumerable.Range(0, 48).Select(i => (i * 37 + 11) % vocabulary.Count).ToArray();
        using var teacher = GgufModel.Load(path);
        float difference = StudentLogits.MaxAbsDifference(StudentLogits.Of(model, tokens), LlamaCppReference.Logits(teacher.Model, tokens));
        output.WriteLine($"{architecture}: max |logit difference| over {tokens.Length} positions × {vocabulary.Count} = {difference:E2}");
        Assert.True(difference <= Tolerance, $"{architecture}: max abs logit difference {difference} exceeds {Tolerance}");
    }

    [Fact]
    public void Llama_cpp_divides_rope_frequencies_by_the_students_rope_freqs_factors()
    {
        using var dir = new TempDirectory();
        var vocabulary = SmallByteLevelVocabulary.Create();
        var model = RandomStudent(LlamaModelConfig.TinyLlama(vocabulary.Count) with { RopeFreqFactors = true });
        // Llama 3.2's factors for heads of 16 at base 10000: 1 (short wavelengths) through a blend to 32 (long ones).
        model.SetRopeFactors(Llama3RopeScaling.Llama3_2.Factors(16, 10000f));
        string path = dir.File("student.gguf");
        StudentGguf.Export(model, vocabulary, path, GgmlType.F32);

        int[] tokens = Enumerable.Range(0, 48).Select(i => (i * 37 + 11) % vocabulary.Count).ToArray();
        using var teacher = GgufModel.Load(path);
        float difference = StudentLogits.MaxAbsDifference(StudentLogits.Of(model, tokens), LlamaCppReference.Logits(teacher.Model, tokens));
        output.WriteLine($"llama with rope_freqs: max |logit difference| = {difference:E2}");
        Assert.True(difference <= Tolerance, $"max abs logit difference {difference} exceeds {Tolerance}");
        // The factors matter: the same weights without them give other logits.
        var plain = StudentLogits.Of(WithoutFactors(model), tokens);
        Assert.True(StudentLogits.MaxAbsDifference(plain, StudentLogits.Of(model, tokens)) > 100 * Tolerance);
    }

    static StudentModel WithoutFactors(StudentModel model)
    {
        var plain = new StudentModel(model.Config with { RopeFreqFactors = false });
        var source = model.GgufParameters();
        using var _ = no_grad();
        foreach (var (name, parameter) in plain.GgufParameters()) parameter.copy_(source[name]);
        return plain;
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Greedy_decoding_picks_the_same_tokens_as_llama_cpp(ModelArchitecture architecture)
    {
        using var dir = new TempDirectory();
        var vocabulary = SmallByteLevelVocabulary.Create();
        var model = RandomStudent(Tiny(architecture, vocabulary.Count));
        string path = dir.File("student.gguf");
        StudentGguf.Export(model, vocabulary, path, GgmlType.F32);

        int[] prompt = [5, 77, 200, 31];
        const int Steps = 16;
        using var teacher = GgufModel.Load(path);
        var (expected, gaps) = LlamaCppReference.Greedy(teacher.Model, prompt, Steps);
        int[] actual = StudentGreedy.Continue(model, prompt, Steps);
        output.WriteLine($"{architecture}: llama.cpp {string.Join(",", expected)}; student {string.Join(",", actual)}; smallest top-2 gap {gaps.Min():G3}");

        // After a near-tie the two may legitimately part ways; everything before it must agree.
        for (int step = 0; step < Steps; step++)
        {
            if (actual[step] == expected[step]) continue;
            Assert.True(gaps[step] < TieGap, $"{architecture}: step {step} chose {actual[step]}, llama.cpp {expected[step]} (top-2 gap {gaps[step]})");
            break;
        }
    }
}
