using static LlmDistill.Tests.Fixtures.CliRun;
using System.Text.Json;
using LlmDistill.Cli;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Cli;

[Collection(TinyTeacherCollection.Name)]
public class TestLlmDistillCli(TinyTeacherFixture teachers)
{
    [Fact]
    public void Help_teaches_the_commands_with_an_example()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("inspect", output);
        Assert.Contains("complete", output);
        Assert.Contains("Example:", output);
    }

    [Fact]
    public void Inspect_json_reports_architecture_parameters_vocabulary_and_quantization()
    {
        var (code, output, error) = Run("inspect", teachers.Qwen2Path, "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("qwen2", root.GetProperty("architecture").GetString());
        Assert.Equal(teachers.Vocabulary.Count, root.GetProperty("vocabulary_size").GetInt32());
        Assert.Equal("gpt2", root.GetProperty("tokenizer_model").GetString());
        Assert.Equal("F16", root.GetProperty("quantization").GetString());
        Assert.True(root.GetProperty("has_chat_template").GetBoolean());
        Assert.Equal(512, root.GetProperty("context_length").GetInt64());
        long embeddings = (long)teachers.Vocabulary.Count * 64;
        Assert.InRange(root.GetProperty("parameter_count").GetInt64(), embeddings, embeddings + 1_000_000);
    }

    [Fact]
    public void Inspect_shows_every_metadata_key_in_the_human_view()
    {
        var (code, output, _) = Run("inspect", teachers.LlamaPath);
        Assert.Equal(0, code);
        foreach (string key in new[] { "general.architecture", "llama.block_count", "tokenizer.ggml.tokens", "tokenizer.ggml.merges" })
            Assert.Contains(key, output);
    }

    [Fact]
    public void Inspect_of_a_truncated_file_names_the_field_and_offset_and_exits_with_2()
    {
        using var folder = new TempDirectory();
        string truncated = folder.File("truncated.gguf");
        using (var source = File.OpenRead(teachers.LlamaPath))
        using (var target = File.Create(truncated))
        {
            var buffer = new byte[5000];
            source.ReadExactly(buffer);
            target.Write(buffer);
        }
        var (code, output, error) = Run("inspect", truncated);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: GGUF file", error);
        Assert.Contains("offset", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Complete_json_gives_each_token_its_logprob_tail_mass_and_sorted_top_k()
    {
        var (code, output, error) = Run("complete", "--model", teachers.LlamaPath, "--prompt", "2 + 2 =", "--max-tokens", "6", "--top-k", "4", "--raw", "--json");
        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal("length", root.GetProperty("finish_reason").GetString());
        var tokens = root.GetProperty("tokens").EnumerateArray().ToArray();
        Assert.Equal(6, tokens.Length);
        foreach (var token in tokens)
        {
            var top = token.GetProperty("top").EnumerateArray().Select(t => (Id: t.GetProperty("id").GetInt32(), Logprob: t.GetProperty("logprob").GetSingle())).ToArray();
            Assert.Equal(4, top.Length);
            Assert.Equal(top[0].Id, token.GetProperty("id").GetInt32()); // greedy by default
            Assert.Equal(top[0].Logprob, token.GetProperty("logprob").GetSingle(), 5);
            Assert.True(top.Zip(top.Skip(1)).All(p => p.First.Logprob >= p.Second.Logprob));
            Assert.InRange(token.GetProperty("tail_mass").GetSingle(), 0f, 1f);
        }
        Assert.Equal(string.Concat(tokens.Select(t => t.GetProperty("text").GetString())), root.GetProperty("text").GetString());
    }

    [Fact]
    public void Complete_with_a_missing_model_says_which_file_and_exits_non_zero()
    {
        var (code, _, error) = Run("complete", "--model", "/no/such/teacher.gguf", "--prompt", "hi");
        Assert.Equal(2, code);
        Assert.Contains("/no/such/teacher.gguf", error);
    }

    [Fact]
    public void Complete_refuses_a_top_k_of_zero()
    {
        var (code, _, error) = Run("complete", "--model", teachers.LlamaPath, "--prompt", "hi", "--top-k", "0");
        Assert.Equal(2, code);
        Assert.Contains("--top-k", error);
    }

    [Fact]
    public void Generate_then_inspect_shows_the_traces_their_teacher_and_a_sample()
    {
        using var folder = new TempDirectory();
        string traces = folder.File("traces");
        var (code, output, error) = Run("generate", "--teacher", teachers.Qwen2Path, "--data", Generation.RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            "--prompt", Generation.RepositoryFiles.Path("prompts/cot-math.yaml"), "--out", traces, "--samples", "2", "--top-k", "4",
            "--max-tokens", "8", "--parallel", "4", "--ctx", "1024", "--limit", "3");
        Assert.True(code == 0, error);
        Assert.Contains("majority-vote accuracy", output);
        Assert.Contains("stored bytes per token", output);

        (code, output, error) = Run("inspect", traces);
        Assert.True(code == 0, error);
        Assert.Contains("3 / 6", output);
        Assert.Contains("tiny-qwen2.gguf", output);
        Assert.Contains("sample trace", output);

        (code, output, _) = Run("inspect", traces, "--json");
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(6, json.RootElement.GetProperty("stats").GetProperty("rows").GetInt64());
        Assert.Equal(4, json.RootElement.GetProperty("provenance").GetProperty("capture_top_k").GetInt32());
    }

    [Fact]
    public void Generate_with_a_missing_data_file_names_it_and_exits_with_2()
    {
        using var folder = new TempDirectory();
        var (code, _, error) = Run("generate", "--teacher", teachers.Qwen2Path, "--data", "/no/such.jsonl",
            "--prompt", Generation.RepositoryFiles.Path("prompts/cot-math.yaml"), "--out", folder.File("t"));
        Assert.Equal(2, code);
        Assert.Contains("/no/such.jsonl", error);
    }
}
