using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

public class TestStudentGguf
{
    public TestStudentGguf() => TorchRuntime.EnsureLoadable();

    static TokenizerVocabulary Vocabulary() =>
        SmallByteLevelVocabulary.Create() with { ChatTemplate = "{% for m in messages %}<|im_start|>{{ m.content }}<|im_end|>{% endfor %}" };

    static Dictionary<string, float[]> Values(StudentModel model) =>
        model.GgufParameters().ToDictionary(p => p.Key, p => p.Value.detach().data<float>().ToArray());

    static (LlamaModelConfig Config, TokenizerVocabulary Vocabulary, StudentModel Model, Dictionary<string, float[]> Original) RoundTrip(
        LlamaModelConfig config, GgmlType type)
    {
        using var dir = new TempDirectory();
        random.manual_seed(7);
        using var model = new StudentModel(config);
        var original = Values(model);
        string path = dir.File("student.gguf");
        StudentGguf.Export(model, Vocabulary(), path, type);
        var (readConfig, readVocabulary, readModel) = StudentGguf.Import(path);
        return (readConfig, readVocabulary, readModel, original);
    }

    [Theory]
    [InlineData(ModelArchitecture.Llama)]
    [InlineData(ModelArchitecture.Qwen2)]
    [InlineData(ModelArchitecture.Qwen3)]
    [InlineData(ModelArchitecture.Gemma3)]
    public void F32_export_imports_bit_exactly_with_its_config_vocabulary_and_chat_template(ModelArchitecture architecture)
    {
        var config = architecture switch
        {
            ModelArchitecture.Llama => LlamaModelConfig.TinyLlama(Vocabulary().Count),
            ModelArchitecture.Qwen2 => LlamaModelConfig.TinyQwen2(Vocabulary().Count),
            _ => LlamaModelConfig.TinyQwen3(Vocabulary().Count),
        };
        var (readConfig, readVocabulary, model, original) = RoundTrip(config, GgmlType.F32);
        using (model)
        {
            Assert.Equal(config, readConfig);
            Assert.Equal(Vocabulary(), readVocabulary);
            var values = Values(model);
            Assert.Equal(original.Keys.Order(), values.Keys.Order());
            foreach (var (name, expected) in original) Assert.Equal(expected, values[name]);
        }
    }

    [Fact]
    public void Rope_frequency_factors_round_trip_as_the_rope_freqs_tensor()
    {
        var config = LlamaModelConfig.TinyLlama(Vocabulary().Count) with { RopeFreqFactors = true };
        var (readConfig, _, model, original) = RoundTrip(config, GgmlType.F32);
        using (model)
        {
            Assert.True(readConfig.RopeFreqFactors);
            Assert.Equal(original[ModelTensors.RopeFreqs], Values(model)[ModelTensors.RopeFreqs]);
            Assert.Equal(8, original[ModelTensors.RopeFreqs].Length); // head size 16 / 2
        }
    }

    [Fact]
    public void F16_export_imports_within_half_precision_rounding()
    {
        var (_, _, model, original) = RoundTrip(LlamaModelConfig.TinyQwen2(Vocabulary().Count), GgmlType.F16);
        using (model)
            foreach (var (name, actual) in Values(model))
                for (int i = 0; i < actual.Length; i++)
                    // Half has 11 significant bits: relative error ≤ 2⁻¹¹, plus the subnormal step near zero.
                    Assert.True(Math.Abs(actual[i] - original[name][i]) <= Math.Abs(original[name][i]) / 2048f + 6e-8f, $"{name}[{i}]");
    }

    [Fact]
    public void Q8_0_export_imports_within_one_quantisation_step_per_block()
    {
        var (_, _, model, original) = RoundTrip(LlamaModelConfig.TinyLlama(Vocabulary().Count), GgmlType.Q8_0);
        using (model)
            foreach (var (name, actual) in Values(model))
            {
                float[] expected = original[name];
                for (int block = 0; block < actual.Length; block += 32)
                {
                    // Q8_0 stores 32 values as q · d, q int8, d = max|x| / 127 rounded to F16: error ≤ d/2 + 127 · |d − F16(d)| ≤ d (1/2 + 127/2048).
                    int length = Math.Min(32, actual.Length - block);
                    float step = expected.AsSpan(block, length).ToArray().Max(Math.Abs) / 127f;
                    for (int i = block; i < block + length; i++)
                        Assert.True(Math.Abs(actual[i] - expected[i]) <= step * (0.5f + 127f / 2048f) + 1e-7f, $"{name}[{i}]");
                }
            }
    }

    [Fact]
    public void Import_refuses_a_tensor_the_student_has_no_place_for()
    {
        using var dir = new TempDirectory();
        var vocabulary = Vocabulary();
        var config = LlamaModelConfig.TinyLlama(vocabulary.Count);
        var writer = ModelGgufWriter.Create(config, vocabulary, RandomLlamaWeights.Create(seed: 3), GgmlType.F32);
        writer.AddTensor("output.bias", [8], GgmlType.F32, new float[8]);
        string path = dir.File("extra.gguf");
        writer.Write(path);
        var error = Assert.Throws<NotSupportedException>(() => StudentGguf.Import(path));
        Assert.Contains("output.bias", error.Message);
    }
}
