using System.Text.Json;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

[Collection(Qwen3VocabularyCollection.Name)]
public class TestHuggingFaceTokenizerImport(Qwen3VocabularyFixture qwen3)
{
    [Fact]
    public void Qwen3_import_has_every_vocab_and_added_token_and_every_merge()
    {
        // Counts read independently of the importer.
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Qwen3VocabularyFixture.TokenizerJson));
        var model = doc.RootElement.GetProperty("model");
        int vocabCount = model.GetProperty("vocab").EnumerateObject().Count();
        int addedCount = doc.RootElement.GetProperty("added_tokens").GetArrayLength();
        int mergeCount = model.GetProperty("merges").GetArrayLength();

        var vocabulary = qwen3.Vocabulary;
        Assert.Equal(vocabCount + addedCount, vocabulary.Count);
        Assert.Equal(151669, vocabulary.Count);
        Assert.Equal(mergeCount, vocabulary.Merges.Length);
        Assert.Equal(TokenizerModelKind.Gpt2, vocabulary.Model);
        Assert.Equal("qwen2", vocabulary.Pre);
        Assert.Equal("Ġ Ġ", vocabulary.Merges[0]);
        Assert.Equal(vocabCount, vocabulary.TokenTypes.Count(t => t == TokenType.Normal));
    }

    [Fact]
    public void Qwen3_special_tokens_get_their_ids_and_roles()
    {
        var v = qwen3.Vocabulary;
        Assert.Equal(151643, v.IdOf("<|endoftext|>"));
        Assert.Equal(151645, v.IdOf("<|im_end|>"));
        Assert.Equal(TokenType.Control, v.TokenTypes[151643]);
        Assert.Equal(TokenType.Control, v.TokenTypes[151645]);
        // Not special in the file: user-defined, except those that look special (<|fim_prefix|>), as llama.cpp's converter does.
        Assert.Equal(TokenType.UserDefined, v.TokenTypes[v.IdOf("<think>")!.Value]);
        Assert.Equal(TokenType.Control, v.TokenTypes[v.IdOf("<|fim_prefix|>")!.Value]);
        Assert.Equal(new SpecialTokenIds(Bos: null, Eos: 151645, Pad: 151643, AddBos: false), v.Special);
        Assert.Contains("<|im_start|>", v.ChatTemplate);
    }

    [Fact]
    public void Merges_given_as_pairs_or_strings_import_alike()
    {
        using var dir = new TempDirectory();
        string pairs = dir.Write("pairs.json", TinyTokenizerJson("""[["a","b"],["ab","c"]]"""));
        string strings = dir.Write("strings.json", TinyTokenizerJson("""["a b","ab c"]"""));
        var fromPairs = HuggingFaceTokenizerImport.Load(pairs, pre: "default");
        var fromStrings = HuggingFaceTokenizerImport.Load(strings, pre: "default");
        Assert.Equal(["a b", "ab c"], fromPairs.Merges);
        Assert.Equal(fromPairs, fromStrings);
    }

    [Fact]
    public void Ids_missing_from_the_file_become_unused_pad_tokens()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("gap.json", TinyTokenizerJson("[]", vocab: """{"a":0,"b":1,"c":3}"""));
        var v = HuggingFaceTokenizerImport.Load(path, pre: "default");
        Assert.Equal(["a", "b", "[PAD2]", "c", "[PAD4]", "<|end|>"], v.Tokens);
        Assert.Equal([TokenType.Normal, TokenType.Normal, TokenType.Unused, TokenType.Normal, TokenType.Unused, TokenType.Control], v.TokenTypes);
    }

    [Fact]
    public void A_malformed_merge_is_reported_with_file_and_field()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.json", TinyTokenizerJson("""["a b", 5]"""));
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizerImport.Load(path, pre: "default"));
        Assert.Contains("bad.json", e.Message);
        Assert.Contains("model.merges[1]", e.Message);
    }

    [Theory]
    [InlineData("\"\"")]     // found by fuzzing: IndexOf(' ', 1) on "" threw ArgumentOutOfRangeException
    [InlineData("\"a\"")]
    [InlineData("\" a\"")]
    [InlineData("[\"\", \"\"]")]
    public void A_merge_without_two_parts_is_refused_by_index(string merge)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("short.json", TinyTokenizerJson($"[\"a b\", {merge}]"));
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizerImport.Load(path, pre: "default"));
        Assert.StartsWith("short.json: model.merges[1] ", e.Message);
        Assert.EndsWith("does not have two parts.", e.Message);
    }

    [Theory]
    [InlineData("""{"type":"Split","pattern":"\\d+"}""")]
    [InlineData("""{"type":"Split","pattern":{"Regex":5}}""")]
    public void A_split_step_of_another_shape_is_not_recognised_rather_than_thrown_on(string step)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("shape.json", TinyTokenizerJson("[]", preTokenizer: step));
        var e = Assert.Throws<NotSupportedException>(() => HuggingFaceTokenizerImport.Load(path));
        Assert.Contains("no Split regex", e.Message);
    }

    [Fact]
    public void A_missing_vocab_is_reported_with_file_and_field()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("novocab.json", """{"model":{"type":"BPE","merges":[]},"decoder":{"type":"ByteLevel"}}""");
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizerImport.Load(path, pre: "default"));
        Assert.Contains("novocab.json: model.vocab is missing", e.Message);
    }

    [Fact]
    public void An_unknown_pre_tokenizer_regex_is_refused_unless_named()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("odd.json", TinyTokenizerJson("[]", preTokenizer: """{"type":"Split","pattern":{"Regex":"\\d+"},"behavior":"Isolated"}"""));
        var e = Assert.Throws<NotSupportedException>(() => HuggingFaceTokenizerImport.Load(path));
        Assert.Contains(@"'\d+'", e.Message);
        Assert.Equal("gpt-2", HuggingFaceTokenizerImport.Load(path, pre: "gpt-2").Pre);
    }

    static string TinyTokenizerJson(string merges, string vocab = """{"a":0,"b":1,"c":2,"ab":3,"abc":4}""", string preTokenizer = "null") => $$$"""
        {"added_tokens":[{"id":5,"content":"<|end|>","special":true}],
         "pre_tokenizer":{{{preTokenizer}}},
         "decoder":{"type":"ByteLevel"},
         "model":{"type":"BPE","vocab":{{{vocab}}},"merges":{{{merges}}}}}
        """;

    [Fact]
    public void Invalid_UTF8_inside_a_string_is_refused_with_its_byte_offset()
    {
        // Found by fuzzing: JsonDocument parses such a file and throws InvalidOperationException only when the
        // string is read, which escaped the importer unexplained.
        using var dir = new TempDirectory();
        string path = dir.File("bad-utf8.json");
        byte[] json = System.Text.Encoding.UTF8.GetBytes(TinyTokenizerJson("[]"));
        int at = Array.IndexOf(json, (byte)'c');
        json[at] = 0xFF;
        File.WriteAllBytes(path, json);
        var e = Assert.Throws<InvalidDataException>(() => HuggingFaceTokenizerImport.Load(path));
        Assert.Equal($"bad-utf8.json: not valid UTF-8 (byte offset {at}).", e.Message);
    }
}
