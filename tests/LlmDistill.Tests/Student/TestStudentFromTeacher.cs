using LlmDistill.Gguf;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Student;

/// <summary>Students built from the tiny teachers (Qwen3 vocabulary, llama F32 and qwen2 F16) of <see cref="TinyTeacherFixture"/>.</summary>
[Collection(TinyTeacherCollection.Name)]
public class TestStudentFromTeacher
{
    readonly TinyTeacherFixture _teachers;
    readonly ITestOutputHelper _output;

    public TestStudentFromTeacher(TinyTeacherFixture teachers, ITestOutputHelper output)
    {
        (_teachers, _output) = (teachers, output);
        TorchRuntime.EnsureLoadable();
    }

    [Fact]
    public void A_student_imported_from_the_llama_teacher_reproduces_its_llama_cpp_logits()
    {
        var (config, vocabulary, model) = StudentGguf.Import(_teachers.LlamaPath);
        using (model)
        {
            Assert.Equal(_teachers.Vocabulary, vocabulary);
            Assert.Equal(2, config.BlockCount);
            int[] tokens = _teachers.Prompts(_teachers.Llama, 2)[1];
            float difference = StudentLogits.MaxAbsDifference(StudentLogits.Of(model, tokens), LlamaCppReference.Logits(_teachers.Llama.Model, tokens));
            _output.WriteLine($"llama teacher (F32): max |logit difference| over {tokens.Length} positions = {difference:E2}");
            Assert.True(difference <= 1e-3f, $"max abs logit difference {difference}");
        }
    }

    [Fact]
    public void A_student_imported_from_the_F16_qwen2_teacher_reproduces_its_llama_cpp_logits_to_half_precision()
    {
        var (_, _, model) = StudentGguf.Import(_teachers.Qwen2Path);
        using (model)
        {
            int[] tokens = _teachers.Prompts(_teachers.Qwen2, 2)[1];
            float difference = StudentLogits.MaxAbsDifference(StudentLogits.Of(model, tokens), LlamaCppReference.Logits(_teachers.Qwen2.Model, tokens));
            _output.WriteLine($"qwen2 teacher (F16): max |logit difference| over {tokens.Length} positions = {difference:E2}");
            // llama.cpp multiplies F16 weights by activations rounded to F16, which the float32 student does not.
            Assert.True(difference <= 5e-2f, $"max abs logit difference {difference}");
        }
    }

    [Fact]
    public void Chosen_teacher_blocks_are_stacked_in_the_given_order_with_the_teachers_embedding_and_norms()
    {
        var (config, _, model) = StudentGguf.InitFromTeacherLayers(_teachers.LlamaPath, "1,0");
        using var _ = model;
        using var teacher = GgufFile.Open(_teachers.LlamaPath);
        Assert.Equal(2, config.BlockCount);
        var parameters = model.GgufParameters();
        float[] Student(string name) => parameters[name].detach().data<float>().ToArray();
        Assert.Equal(teacher.ReadTensorAsFloat("blk.1.attn_q.weight"), Student("blk.0.attn_q.weight"));
        Assert.Equal(teacher.ReadTensorAsFloat("blk.0.ffn_down.weight"), Student("blk.1.ffn_down.weight"));
        Assert.Equal(teacher.ReadTensorAsFloat("token_embd.weight"), Student("token_embd.weight"));
        Assert.Equal(teacher.ReadTensorAsFloat("output.weight"), Student("output.weight"));
        Assert.Equal(teacher.ReadTensorAsFloat("output_norm.weight"), Student("output_norm.weight"));
    }

    [Fact]
    public void Every_other_layer_of_the_qwen2_teacher_keeps_its_biases_and_tied_output()
    {
        var (config, _, model) = StudentGguf.InitFromTeacherLayers(_teachers.Qwen2Path, "every-other");
        using var _ = model;
        using var teacher = GgufFile.Open(_teachers.Qwen2Path);
        Assert.Equal(1, config.BlockCount);
        Assert.True(config.AttentionBias);
        Assert.True(config.TiedEmbeddings);
        Assert.Equal(teacher.ReadTensorAsFloat("blk.0.attn_k.bias"), model.GgufParameters()["blk.0.attn_k.bias"].detach().data<float>().ToArray());
    }
}
