using System.Text.Json;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using static LlmDistill.Tests.Fixtures.CliRun;

namespace LlmDistill.Tests.Cli;

[Collection(RealVocabulariesCollection.Name)]
public class TestTokenizeCommand(RealVocabulariesFixture vocabularies)
{
    [Fact]
    public void Text_on_a_gguf_with_compare_prints_ids_equal_to_llama_cpp()
    {
        var v = vocabularies.Get("llama2");
        var (code, output, error) = Run("tokenize", "--model", v.LlamaCpp.Path, "--text", "Hello wörld 😀", "--compare", "--json");
        Assert.True(code == 0, error);
        using var doc = JsonDocument.Parse(output);
        int[] ids = doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(v.LlamaCpp.Vocab.Tokenize("Hello wörld 😀", addSpecial: false, parseSpecial: false), ids);
        Assert.Equal(ids, doc.RootElement.GetProperty("llama_cpp_ids").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal("▁Hello", doc.RootElement.GetProperty("pieces")[0].GetString());
    }

    [Fact]
    public void File_of_strings_prints_one_id_array_per_line_and_special_parses_special_tokens()
    {
        using var dir = new TempDirectory();
        string[] texts = ["<|im_start|>user\nhi", "plain text", "数字 123"];
        string file = dir.Write("strings.jsonl", string.Join('\n', texts.Select(t => JsonSerializer.Serialize(t))));
        var qwen3 = vocabularies.Get("qwen3");
        foreach (bool special in new[] { false, true })
        {
            var (code, output, error) = Run(["tokenize", "-m", RealVocabulariesFixture.TokenizerJson("qwen3"), "-f", file, .. special ? new[] { "--special" } : []]);
            Assert.True(code == 0, error);
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(texts.Length, lines.Length);
            for (int i = 0; i < texts.Length; i++)
                Assert.Equal(qwen3.LlamaCpp.Vocab.Tokenize(texts[i], addSpecial: false, parseSpecial: special), JsonSerializer.Deserialize<int[]>(lines[i]));
        }
    }

    [Fact]
    public void First_difference_is_the_first_unequal_or_missing_token()
    {
        Assert.Null(new TokenizedText("t", [1, 2, 3], ["a", "b", "c"], [1, 2, 3]).FirstDifference);
        Assert.Null(new TokenizedText("t", [1, 2, 3], ["a", "b", "c"], null).FirstDifference);
        Assert.Equal(1, new TokenizedText("t", [1, 2, 3], ["a", "b", "c"], [1, 5, 3]).FirstDifference);
        Assert.Equal(2, new TokenizedText("t", [1, 2], ["a", "b"], [1, 2, 3]).FirstDifference);
    }

    [Fact]
    public void Compare_on_a_file_says_all_lines_agree()
    {
        var gpt4o = vocabularies.Get("gpt4o");
        using var dir = new TempDirectory();
        string file = dir.Write("s.jsonl", "\"same\"\n\"DON'T stop: 2024\\n\\n  x\"\n");
        var (code, output, error) = Run("tokenize", "-m", gpt4o.LlamaCpp.Path, "-f", file, "--compare");
        Assert.True(code == 0, error);
        Assert.Equal(2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("same ids on all 2 lines", error);
    }

    [Fact]
    public void A_vocabulary_that_cannot_be_rebuilt_is_refused_with_its_name()
    {
        var qwen3 = vocabularies.Get("qwen3");
        using var dir = new TempDirectory();
        string gguf = dir.File("kimi.gguf");
        VocabularyGguf.Write(gguf, qwen3.Vocabulary with { Pre = "kimi-k2" });
        var (code, _, error) = Run("tokenize", "-m", gguf, "--text", "hi");
        Assert.Equal(2, code);
        Assert.Contains("'kimi-k2'", error);
    }

    [Fact]
    public void Text_and_file_together_are_refused()
    {
        var (code, _, error) = Run("tokenize", "-m", RealVocabulariesFixture.TokenizerJson("qwen3"));
        Assert.Equal(2, code);
        Assert.Contains("--text", error);
    }
}
