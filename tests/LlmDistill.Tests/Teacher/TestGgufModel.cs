using LlmDistill.Gguf;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Teacher;

[Collection(TinyTeacherCollection.Name)]
public class TestGgufModel(TinyTeacherFixture teachers)
{
    [Fact]
    public void A_truncated_teacher_file_is_refused_by_the_managed_reader_before_llama_cpp_sees_it()
    {
        using var folder = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(teachers.LlamaPath);
        foreach (int length in new[] { 3, 24, 4096, bytes.Length / 2, bytes.Length - 1 })
        {
            string path = folder.File($"cut-{length}.gguf");
            File.WriteAllBytes(path, bytes[..length]);
            var error = Assert.Throws<GgufFormatException>(() => GgufModel.Load(path));
            Assert.Contains("offset", error.Message);
        }
    }

    [Fact]
    public void A_file_without_a_vocabulary_is_refused_with_the_missing_key()
    {
        using var folder = new TempDirectory();
        string path = folder.File("no-vocab.gguf");
        var writer = new GgufWriter();
        writer.Metadata.SetString("general.architecture", "llama");
        writer.AddTensor("output_norm.weight", [64], GgmlType.F32, new float[64]);
        writer.Write(path);
        var error = Assert.Throws<InvalidDataException>(() => GgufModel.Load(path));
        Assert.Contains("tokenizer.ggml.tokens", error.Message);
    }

    [Fact]
    public void The_prompt_goes_through_the_models_chat_template_unless_raw()
    {
        string rendered = teachers.Qwen2.RenderPrompt("What is 3 < 5 & 2 > 1?", system: "Think step by step.");
        Assert.Equal("<|im_start|>system\nThink step by step.<|im_end|>\n<|im_start|>user\nWhat is 3 < 5 & 2 > 1?<|im_end|>\n<|im_start|>assistant\n", rendered);
        Assert.Equal("What is 3?", teachers.Qwen2.RenderPrompt("What is 3?", raw: true));
    }
}
