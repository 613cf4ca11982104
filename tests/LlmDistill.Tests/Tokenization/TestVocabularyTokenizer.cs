using System.Text.Json;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

[Collection(Qwen3VocabularyCollection.Name)]
public class TestVocabularyTokenizer(Qwen3VocabularyFixture qwen3)
{
    sealed record GoldenCase(string Text, int[] Ids, int[]? IdsWithoutParseSpecial);

    /// <summary>
    /// Golden files under golden/: one JSON object per line, {"text", "ids", optional "ids_without_parse_special"}.
    /// Produced once with libllama v0.5.0 (@node-llama-cpp/linux-x64@3.22.1) by a throwaway C program calling
    /// llama_tokenize(add_special = false, parse_special = true, and false) on deterministically generated strings
    /// (English, contractions, numbers, code with indentation and tabs, whitespace runs, accents incl. combining marks,
    /// CJK and other scripts, emoji incl. ZWJ and flags, supplementary-plane letters, control and user-defined tokens).
    /// qwen3-llama-tokenize.jsonl: on a vocab_only GGUF that a throwaway Python script wrote straight from
    /// testdata/qwen3/tokenizer.json (tokenizer.ggml.pre = qwen2; no LlmDistill code involved); it keeps the first
    /// 1000 of 3000 strings, all of which matched when the rebuild was written.
    /// small-default-llama-tokenize.jsonl: on a tiny model written by ModelGgufWriter with
    /// SmallByteLevelVocabulary.Create() (pre = default); the first 400 of 3000 strings, all of which matched.
    /// </summary>
    static IReadOnlyList<GoldenCase> Golden(string file) => File.ReadLines(Path.Combine(AppContext.BaseDirectory, "Tokenization", "golden", file))
        .Where(line => line.Length > 0 && line[0] == '{')
        .Select(line =>
        {
            using var doc = JsonDocument.Parse(line);
            var e = doc.RootElement;
            static int[] Ids(JsonElement a) => a.EnumerateArray().Select(x => x.GetInt32()).ToArray();
            return new GoldenCase(e.GetProperty("text").GetString()!, Ids(e.GetProperty("ids")),
                e.TryGetProperty("ids_without_parse_special", out var w) ? Ids(w) : null);
        })
        .ToList();

    static void AssertSameIdsAsLlamaCpp(VocabularyTokenizer tokenizer, IReadOnlyList<GoldenCase> golden)
    {
        Assert.True(golden.Count >= 300, $"only {golden.Count} golden cases");
        var mismatches = new List<string>();
        foreach (var c in golden)
        {
            int[] ids = tokenizer.Encode(c.Text, addSpecial: false);
            if (!ids.SequenceEqual(c.Ids))
                mismatches.Add($"{JsonSerializer.Serialize(c.Text)}: expected [{string.Join(' ', c.Ids)}] got [{string.Join(' ', ids)}]");
            int[] expectedPlain = c.IdsWithoutParseSpecial ?? c.Ids;
            int[] plain = tokenizer.Encode(c.Text, addSpecial: false, parseSpecial: false);
            if (!plain.SequenceEqual(expectedPlain))
                mismatches.Add($"(parse_special=false) {JsonSerializer.Serialize(c.Text)}: expected [{string.Join(' ', expectedPlain)}] got [{string.Join(' ', plain)}]");
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join('\n', mismatches.Take(20)));
    }

    [Fact]
    public void Qwen3_rebuild_gives_llama_cpp_ids_on_the_golden_strings() =>
        AssertSameIdsAsLlamaCpp(qwen3.Tokenizer, Golden("qwen3-llama-tokenize.jsonl"));

    [Fact]
    public void Small_vocabulary_with_default_pre_gives_llama_cpp_ids_on_the_golden_strings() =>
        AssertSameIdsAsLlamaCpp(VocabularyTokenizer.Create(SmallByteLevelVocabulary.Create()), Golden("small-default-llama-tokenize.jsonl"));

    [Fact]
    public void Decoding_the_golden_ids_gives_back_the_text()
    {
        foreach (var c in Golden("qwen3-llama-tokenize.jsonl"))
            Assert.Equal(c.Text, qwen3.Tokenizer.Decode(c.Ids));
    }

    [Fact]
    public void Special_tokens_are_single_ids_only_when_parsed()
    {
        var t = qwen3.Tokenizer;
        Assert.Equal([151644, 872, 198], t.Encode("<|im_start|>user\n"));
        Assert.DoesNotContain(151644, t.Encode("<|im_start|>user\n", parseSpecial: false));
        // user-defined tokens are matched either way, as in llama.cpp
        Assert.Contains(151667, t.Encode("<think>", parseSpecial: false));
        Assert.Equal("", t.Decode([151645], renderSpecial: false));
        Assert.Equal("<|im_end|>", t.Decode([151645]));
    }

    [Theory]
    [InlineData("kimi-k2", "hand-written")]
    [InlineData("gemma4", "raw UTF-8")]
    [InlineData("no-such-pre", "not a pre-tokenizer llama.cpp names")]
    public void Unsupported_pre_tokenizer_is_refused_by_name(string pre, string reason)
    {
        var v = SmallByteLevelVocabulary.Create() with { Pre = pre };
        var e = Assert.Throws<NotSupportedException>(() => VocabularyTokenizer.Create(v));
        Assert.Contains($"'{pre}'", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("ugm")]
    [InlineData("bert")]
    public void Unigram_and_WordPiece_vocabularies_are_refused_by_name(string model)
    {
        var e = Assert.Throws<NotSupportedException>(() => TokenizerModelKinds.FromGgufName(model));
        Assert.Contains($"'{model}'", e.Message);
    }

    [Fact]
    public void Every_supported_pre_tokenizer_builds_and_none_is_also_refused()
    {
        foreach (string pre in LlamaCppPreTokenizer.SupportedNames)
            Assert.Equal(pre, LlamaCppPreTokenizer.ForName(pre).Name);
        Assert.Empty(LlamaCppPreTokenizer.SupportedNames.Intersect(LlamaCppPreTokenizer.RefusedNames.Keys));
        Assert.Contains("smollm", LlamaCppPreTokenizer.SupportedNames);
        Assert.Contains("tekken", LlamaCppPreTokenizer.SupportedNames);
    }

    [Fact]
    public void Small_byte_level_vocabulary_applies_its_merges_and_round_trips_any_text()
    {
        var v = SmallByteLevelVocabulary.Create();
        var t = VocabularyTokenizer.Create(v);
        int the = v.IdOf("Ġthe")!.Value;
        Assert.Equal([v.IdOf("t")!.Value, v.IdOf("he")!.Value, the], t.Encode("the the", addSpecial: false));
        foreach (string text in new[] { "Hello, wörld! 12345", "日本語 😀\n\tx", "<|im_start|>user\nhi<|im_end|>" })
            Assert.Equal(text, t.Decode(t.Encode(text)));
        Assert.Equal([v.Special.Eot!.Value], t.Encode(SmallByteLevelVocabulary.ImEnd));
    }
}
