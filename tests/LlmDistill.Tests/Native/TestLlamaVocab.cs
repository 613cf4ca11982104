using System.Text;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>Load / metadata / tokenizer tests on a tiny vocab-only GGUF (no weights, so no decoding here).</summary>
[Collection(LlamaCollection.Name)]
public sealed class TestLlamaVocab : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "llmdistill-vocab-" + Guid.NewGuid() + ".gguf");
    private readonly LlamaModel _model;

    public TestLlamaVocab()
    {
        TinyLlamaGguf.Write(_path);
        _model = LlamaModel.Load(_path, new LlamaModelOptions { VocabOnly = true, GpuLayers = 0 });
    }

    public void Dispose()
    {
        _model.Dispose();
        File.Delete(_path);
    }

    [Fact]
    public void A_vocab_only_model_loads_with_its_metadata()
    {
        Assert.Equal("llama", _model.Metadata["general.architecture"]);
        Assert.Equal("vocab-only-test", _model.GetMetadata("general.name"));
        Assert.Null(_model.GetMetadata("no.such.key"));
        Assert.Equal("256", _model.Metadata["llama.context_length"]);
        Assert.Equal("64", _model.GetMetadata("llama.embedding_length"));
        Assert.Equal(0, _model.TrainContextLength); // vocab_only: llama.cpp skips the hyper-parameters
        Assert.NotNull(_model.Description); // empty for vocab-only models
    }

    [Fact]
    public void Vocabulary_size_and_special_tokens_are_read()
    {
        LlamaVocab v = _model.Vocab;
        Assert.Equal(3 + 256 + TinyLlamaGguf.Pieces.Length, v.Count);
        Assert.Equal(LlamaVocabType.Spm, v.Type);
        Assert.Equal(TinyLlamaGguf.Bos, v.Bos);
        Assert.Equal(TinyLlamaGguf.Eos, v.Eos);
        Assert.True(v.AddsBos);
        Assert.True(v.IsEog(TinyLlamaGguf.Eos));
        Assert.False(v.IsEog(TinyLlamaGguf.ByteToken((byte)'a')));
        Assert.True(v.IsControl(TinyLlamaGguf.Bos));
        Assert.True(v.GetAttributes(TinyLlamaGguf.ByteToken(0x41)).HasFlag(LlamaTokenAttr.Byte));
        Assert.Equal("▁hello", v.GetText(3 + 256 + Array.IndexOf(TinyLlamaGguf.Pieces, "▁hello")));
        Assert.Throws<ArgumentOutOfRangeException>(() => v.GetText(v.Count));
    }

    [Fact]
    public void Tokenize_adds_bos_on_request_and_round_trips()
    {
        LlamaVocab v = _model.Vocab;
        int[] withBos = v.Tokenize("hello world", addSpecial: true, parseSpecial: false);
        int[] without = v.Tokenize("hello world", addSpecial: false, parseSpecial: false);
        Assert.Equal(TinyLlamaGguf.Bos, withBos[0]);
        Assert.Equal(without, withBos[1..]);
        Assert.Equal(["▁hello", "▁world"], without.Select(v.GetText));
        Assert.Equal("hello world", v.Detokenize(without).TrimStart());
    }

    [Fact]
    public void Tokenize_resizes_when_the_first_guess_is_too_small()
    {
        // Each non-ASCII character falls back to 2-3 byte tokens: more tokens than the first buffer guess allows.
        string text = new('é', 40);
        int[] tokens = _model.Vocab.Tokenize(text, addSpecial: true, parseSpecial: false);
        Assert.True(tokens.Length > 80);
        Assert.Equal(text, _model.Vocab.Detokenize(tokens, removeSpecial: true).Trim());
    }

    [Fact]
    public void Token_pieces_are_raw_bytes_that_may_split_a_character()
    {
        LlamaVocab v = _model.Vocab;
        int[] tokens = v.Tokenize("é", addSpecial: false, parseSpecial: false);
        byte[] all = tokens.SelectMany(t => v.TokenToPiece(t)).ToArray();
        Assert.Contains(tokens, t => v.TokenToPiece(t) is [0xC3]);  // first half of U+00E9 alone: not valid UTF-8
        Assert.Equal("é", Encoding.UTF8.GetString(all).TrimStart());
    }

    [Fact]
    public void Special_tokens_render_only_when_asked()
    {
        LlamaVocab v = _model.Vocab;
        Assert.Equal("<s>", Encoding.UTF8.GetString(v.TokenToPiece(TinyLlamaGguf.Bos, special: true)));
        Assert.Empty(v.TokenToPiece(TinyLlamaGguf.Bos, special: false));
        Assert.Equal([TinyLlamaGguf.Bos], v.Tokenize("<s>", addSpecial: false, parseSpecial: true));
    }

    [Fact]
    public void The_model_chat_template_is_read_and_applied()
    {
        Assert.Equal(TinyLlamaGguf.ChatTemplate, _model.GetChatTemplate());
        string text = _model.ApplyChatTemplate([new("user", "Hi")], addAssistant: true);
        Assert.Equal("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void A_disposed_model_refuses_vocab_calls()
    {
        using LlamaModel other = LlamaModel.Load(_path, new LlamaModelOptions { VocabOnly = true });
        LlamaVocab v = other.Vocab;
        other.Dispose();
        Assert.Throws<ObjectDisposedException>(() => v.Count);
    }
}
