namespace LlmDistill.Models;

/// <summary>What a tensor is, which decides its stored type (norms, biases and RoPE factors stay F32).</summary>
public enum ModelTensorKind
{
    Matrix,
    Norm,
    Bias,
    /// <summary><c>rope_freqs.weight</c>: one divisor per RoPE frequency (Llama 3's scaling); 1 is no scaling.</summary>
    RopeFactors,
}

/// <summary>One tensor of a model file: its GGUF name and its shape in ggml order (ne0 first = the input dimension).</summary>
public sealed record ModelTensor(string Name, long[] Shape, ModelTensorKind Kind)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The GGUF tensor table of a Llama/Qwen2/Qwen3/Gemma3 model, in the order they are written. Names and shapes are those
/// llama.cpp's loader asks for (src/models/llama.cpp, qwen2.cpp, qwen3.cpp, gemma3.cpp). A weight of PyTorch shape [out, in] has ggml shape
/// [in, out]; its data is the same row-major bytes (row r = output unit r).
/// <para>Q/K row order: the file holds llama.cpp's layout. For <c>llama</c>, RoPE rotates adjacent pairs
/// (2i, 2i+1) of each head, so a Hugging Face checkpoint (rotate_half: pairs (i, i + d/2)) must be permuted per head,
/// as convert_hf_to_gguf.py does (rows of a head reordered 0, d/2, 1, d/2+1, ...); for <c>qwen2</c> (NEOX rope) rows are
/// in Hugging Face order. A student exported to GGUF must apply RoPE in the same convention as the layout it writes.</para>
/// </summary>
public static class ModelTensors
{
    public const string TokenEmbedding = "token_embd.weight";
    public const string OutputNorm = "output_norm.weight";
    public const string Output = "output.weight";
    public const string RopeFreqs = "rope_freqs.weight";

    public static string Block(int block, string name) => $"blk.{block}.{name}";

    public static IReadOnlyList<ModelTensor> For(LlamaModelConfig config)
    {
        config.Validate();
        long d = config.EmbeddingLength, vocab = config.VocabSize, q = config.QueryLength, kv = config.KeyValueLength, ff = config.FeedForwardLength;
        var tensors = new List<ModelTensor> { new(TokenEmbedding, [d, vocab], ModelTensorKind.Matrix) };
        if (config.RopeFreqFactors) tensors.Add(new(RopeFreqs, [config.HeadSize / 2], ModelTensorKind.RopeFactors));
        for (int i = 0; i < config.BlockCount; i++)
        {
            tensors.Add(new(Block(i, "attn_norm.weight"), [d], ModelTensorKind.Norm));
            tensors.Add(new(Block(i, "attn_q.weight"), [d, q], ModelTensorKind.Matrix));
            tensors.Add(new(Block(i, "attn_k.weight"), [d, kv], ModelTensorKind.Matrix));
            tensors.Add(new(Block(i, "attn_v.weight"), [d, kv], ModelTensorKind.Matrix));
            if (config.AttentionBias)
            {
                tensors.Add(new(Block(i, "attn_q.bias"), [q], ModelTensorKind.Bias));
                tensors.Add(new(Block(i, "attn_k.bias"), [kv], ModelTensorKind.Bias));
                tensors.Add(new(Block(i, "attn_v.bias"), [kv], ModelTensorKind.Bias));
            }
            if (config.QkNorm)
            {
                tensors.Add(new(Block(i, "attn_q_norm.weight"), [config.HeadSize], ModelTensorKind.Norm));
                tensors.Add(new(Block(i, "attn_k_norm.weight"), [config.HeadSize], ModelTensorKind.Norm));
            }
            tensors.Add(new(Block(i, "attn_output.weight"), [q, d], ModelTensorKind.Matrix));
            if (config.PostNorms) tensors.Add(new(Block(i, "post_attention_norm.weight"), [d], ModelTensorKind.Norm));
            tensors.Add(new(Block(i, "ffn_norm.weight"), [d], ModelTensorKind.Norm));
            tensors.Add(new(Block(i, "ffn_gate.weight"), [d, ff], ModelTensorKind.Matrix));
            tensors.Add(new(Block(i, "ffn_up.weight"), [d, ff], ModelTensorKind.Matrix));
            tensors.Add(new(Block(i, "ffn_down.weight"), [ff, d], ModelTensorKind.Matrix));
            if (config.PostNorms) tensors.Add(new(Block(i, "post_ffw_norm.weight"), [d], ModelTensorKind.Norm));
        }
        tensors.Add(new(OutputNorm, [d], ModelTensorKind.Norm));
        if (!config.TiedEmbeddings) tensors.Add(new(Output, [d, vocab], ModelTensorKind.Matrix));
        return tensors;
    }
}
