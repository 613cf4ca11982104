using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Models;

[Collection(Qwen3VocabularyCollection.Name)]
public class TestModelGgufWriter(Qwen3VocabularyFixture qwen3)
{
    [Fact]
    public void Tiny_llama_reads_back_with_expected_names_shapes_types_and_values()
    {
        using var dir = new TempDirectory();
        var vocab = SmallByteLevelVocabulary.Create();
        var config = LlamaModelConfig.TinyLlama(vocab.Count);
        string path = dir.File("tiny-llama.gguf");
        ModelGgufWriter.Write(path, config, vocab, RandomLlamaWeights.Create(seed: 7), GgmlType.F32, "tiny-llama");

        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.Equal("tiny-llama", m.GetString("general.name"));
        Assert.Equal(0u, m.GetUInt32("general.file_type"));
        Assert.Equal(64u, m.GetUInt32("llama.embedding_length"));
        Assert.Equal(2u, m.GetUInt32("llama.block_count"));
        Assert.Equal(4u, m.GetUInt32("llama.attention.head_count"));
        Assert.Equal(2u, m.GetUInt32("llama.attention.head_count_kv"));
        Assert.Equal(128u, m.GetUInt32("llama.feed_forward_length"));
        Assert.Equal(16u, m.GetUInt32("llama.rope.dimension_count"));
        Assert.Equal(1e-5f, m.GetFloat32("llama.attention.layer_norm_rms_epsilon"));
        Assert.Equal(vocab, TokenizerGgufMetadata.Read(m));

        // 1 embedding + 9 per block + output norm + output
        Assert.Equal(1 + 2 * 9 + 2, file.Tensors.Count);
        AssertTensor(file, "token_embd.weight", GgmlType.F32, 64, vocab.Count);
        AssertTensor(file, "blk.1.attn_q.weight", GgmlType.F32, 64, 64);
        AssertTensor(file, "blk.1.attn_k.weight", GgmlType.F32, 64, 32);
        AssertTensor(file, "blk.1.attn_v.weight", GgmlType.F32, 64, 32);
        AssertTensor(file, "blk.1.attn_output.weight", GgmlType.F32, 64, 64);
        AssertTensor(file, "blk.0.ffn_gate.weight", GgmlType.F32, 64, 128);
        AssertTensor(file, "blk.0.ffn_up.weight", GgmlType.F32, 64, 128);
        AssertTensor(file, "blk.0.ffn_down.weight", GgmlType.F32, 128, 64);
        AssertTensor(file, "blk.0.attn_norm.weight", GgmlType.F32, 64);
        AssertTensor(file, "output.weight", GgmlType.F32, 64, vocab.Count);
        Assert.False(file.TryGetTensor("blk.0.attn_q.bias", out _));

        var expected = RandomLlamaWeights.Generate(ModelTensors.For(config).Single(t => t.Name == "blk.1.ffn_down.weight"), seed: 7);
        Assert.Equal(expected, file.ReadTensorAsFloat("blk.1.ffn_down.weight"));
        Assert.All(file.ReadTensorAsFloat("output_norm.weight"), x => Assert.Equal(1f, x));
    }

    [Fact]
    public void Tiny_qwen2_with_the_qwen3_vocabulary_has_biases_tied_output_and_quantized_matrices()
    {
        using var dir = new TempDirectory();
        var config = LlamaModelConfig.TinyQwen2(qwen3.Vocabulary.Count);
        string path = dir.File("tiny-qwen2.gguf");
        ModelGgufWriter.Write(path, config, qwen3.Vocabulary, RandomLlamaWeights.Create(seed: 1), GgmlType.Q8_0);

        using var file = GgufFile.Open(path);
        Assert.Equal("qwen2", file.Metadata.GetString("general.architecture"));
        Assert.Equal(7u, file.Metadata.GetUInt32("general.file_type"));
        Assert.Equal(1_000_000f, file.Metadata.GetFloat32("qwen2.rope.freq_base"));
        Assert.Equal("qwen2", file.Metadata.GetString("tokenizer.ggml.pre"));
        Assert.Equal(1 + 2 * 12 + 1, file.Tensors.Count);
        AssertTensor(file, "token_embd.weight", GgmlType.Q8_0, 64, 151669);
        AssertTensor(file, "blk.0.attn_q.bias", GgmlType.F32, 64);
        AssertTensor(file, "blk.0.attn_k.bias", GgmlType.F32, 32);
        AssertTensor(file, "blk.0.attn_v.bias", GgmlType.F32, 32);
        AssertTensor(file, "blk.0.ffn_down.weight", GgmlType.Q8_0, 128, 64);
        AssertTensor(file, "output_norm.weight", GgmlType.F32, 64);
        Assert.False(file.TryGetTensor("output.weight", out _));
    }

    [Fact]
    public void Weights_are_requested_one_tensor_at_a_time_in_table_order()
    {
        var vocab = SmallByteLevelVocabulary.Create();
        var config = LlamaModelConfig.TinyLlama(vocab.Count);
        var requested = new List<string>();
        var random = RandomLlamaWeights.Create(seed: 3);
        var writer = ModelGgufWriter.Create(config, vocab, t => { requested.Add(t.Name); return random(t); });
        Assert.Empty(requested);
        writer.Write(Stream.Null);
        Assert.Equal(ModelTensors.For(config).Select(t => t.Name), requested);
    }

    [Fact]
    public void A_vocabulary_smaller_than_the_embedding_is_refused_until_padded()
    {
        var vocab = SmallByteLevelVocabulary.Create();
        var config = LlamaModelConfig.TinyLlama(vocab.Count + 5);
        var e = Assert.Throws<ArgumentException>(() => ModelGgufWriter.Create(config, vocab, RandomLlamaWeights.Create(1)));
        Assert.Contains("PadTo", e.Message);
        var padded = vocab.PadTo(vocab.Count + 5);
        Assert.Equal($"[PAD{vocab.Count}]", padded.Tokens[vocab.Count]);
        ModelGgufWriter.Create(config, padded, RandomLlamaWeights.Create(1));
    }

    [Fact]
    public void Qwen25_0_5B_preset_has_the_published_shapes_and_parameter_count()
    {
        var c = LlamaModelConfig.Qwen25_0_5B;
        Assert.Equal(64, c.HeadSize);
        Assert.Equal(128, c.KeyValueLength);
        long parameters = ModelTensors.For(c).Sum(t => t.ElementCount);
        Assert.Equal(494_032_768, parameters);
    }

    [Fact]
    public void Random_weights_are_deterministic_small_and_finite()
    {
        var tensor = new ModelTensor("blk.0.attn_q.weight", [64, 64], ModelTensorKind.Matrix);
        var a = RandomLlamaWeights.Generate(tensor, seed: 5);
        Assert.Equal(a, RandomLlamaWeights.Generate(tensor, seed: 5));
        Assert.NotEqual(a, RandomLlamaWeights.Generate(tensor, seed: 6));
        Assert.All(a, x => Assert.True(float.IsFinite(x) && Math.Abs(x) < 0.2f));
        double std = Math.Sqrt(a.Average(x => (double)x * x));
        Assert.InRange(std, 0.018, 0.022);
    }

    static void AssertTensor(GgufFile file, string name, GgmlType type, params long[] shape)
    {
        var t = file.GetTensor(name);
        Assert.Equal(type, t.Type);
        Assert.Equal(shape, t.Dimensions);
    }
}
