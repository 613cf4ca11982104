using LlmDistill.Gguf;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

[Collection(Qwen3VocabularyCollection.Name)]
public class TestTokenizerGgufMetadata(Qwen3VocabularyFixture qwen3)
{
    static TokenizerVocabulary RoundTrip(TokenizerVocabulary vocabulary, TempDirectory dir)
    {
        var writer = new GgufWriter();
        writer.Metadata.SetString("general.architecture", "llama");
        TokenizerGgufMetadata.Write(vocabulary, writer.Metadata);
        string path = dir.File("vocab.gguf");
        writer.Write(path);
        using var file = GgufFile.Open(path);
        return TokenizerGgufMetadata.Read(file.Metadata);
    }

    [Fact]
    public void Qwen3_vocabulary_reads_back_equal_from_a_gguf_file()
    {
        using var dir = new TempDirectory();
        var back = RoundTrip(qwen3.Vocabulary, dir);
        Assert.Equal(qwen3.Vocabulary, back);
        Assert.Equal(TokenizerFingerprint.Compute(qwen3.Vocabulary), TokenizerFingerprint.Compute(back));
    }

    [Fact]
    public void Small_vocabulary_with_eot_and_flags_reads_back_equal()
    {
        using var dir = new TempDirectory();
        var v = SmallByteLevelVocabulary.Create() with { ChatTemplate = null };
        v = v with { Special = v.Special with { AddBos = true } };
        Assert.Equal(v, RoundTrip(v, dir));
    }

    [Fact]
    public void Keys_and_value_types_are_those_llama_cpp_reads()
    {
        var m = TokenizerGgufMetadata.Write(SmallByteLevelVocabulary.Create(), new GgufMetadata());
        Assert.Equal("gpt2", m.GetString("tokenizer.ggml.model"));
        Assert.Equal("default", m.GetString("tokenizer.ggml.pre"));
        Assert.Equal(GgufValueType.Int32, m["tokenizer.ggml.token_type"].ElementType);
        Assert.Equal(GgufValueType.String, m["tokenizer.ggml.merges"].ElementType);
        Assert.Equal(GgufValueType.UInt32, m["tokenizer.ggml.eos_token_id"].Type);
        Assert.Equal(GgufValueType.Bool, m["tokenizer.ggml.add_bos_token"].Type);
        Assert.False(m.ContainsKey("tokenizer.ggml.unknown_token_id"));
    }

    [Fact]
    public void Reading_without_tokens_names_the_key()
    {
        var m = new GgufMetadata().SetString("tokenizer.ggml.model", "gpt2");
        var e = Assert.Throws<KeyNotFoundException>(() => TokenizerGgufMetadata.Read(m));
        Assert.Contains("tokenizer.ggml.tokens", e.Message);
    }
}
