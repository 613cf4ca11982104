using LlmDistill.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Grouped-query causal self-attention with RoPE. Field names are the GGUF tensor names after <c>attn_</c>
/// (q → <c>blk.N.attn_q</c>, output → <c>blk.N.attn_output</c>); see <see cref="StudentTensorNames"/>.
/// Query head h reads key/value head h / (HeadCount / HeadCountKv), as llama.cpp's broadcast does.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly int _heads, _kvHeads, _headSize;
    readonly RopeStyle _rope;
    readonly Projection q, k, v, output;
    readonly RmsNorm? q_norm, k_norm; // Qwen3: over each head, before RoPE

    public Attention(LlamaModelConfig config) : base(nameof(Attention))
    {
        (_heads, _kvHeads, _headSize) = (config.HeadCount, config.HeadCountKv, config.HeadSize);
        _rope = Rope.StyleOf(config.Architecture);
        q = new Projection(config.EmbeddingLength, config.QueryLength, hasBias: config.AttentionBias);
        k = new Projection(config.EmbeddingLength, config.KeyValueLength, hasBias: config.AttentionBias);
        v = new Projection(config.EmbeddingLength, config.KeyValueLength, hasBias: config.AttentionBias);
        output = new Projection(config.QueryLength, config.EmbeddingLength, hasBias: false);
        if (config.QkNorm)
        {
            q_norm = new RmsNorm(config.HeadSize, config.RmsNormEps);
            k_norm = new RmsNorm(config.HeadSize, config.RmsNormEps);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin) // x (B, T, C); cos, sin (T, D/2)
    {
        long b = x.shape[0], t = x.shape[1];
        var query = q.call(x).view(b, t, _heads, _headSize); // (B, T, H, D)
        var key = k.call(x).view(b, t, _kvHeads, _headSize); // (B, T, Hkv, D)
        if (q_norm is not null) query = q_norm.call(query);
        if (k_norm is not null) key = k_norm.call(key);
        query = Rope.Apply(query, cos, sin, _rope).transpose(1, 2); // (B, H, T, D)
        key = Rope.Apply(key, cos, sin, _rope).transpose(1, 2); // (B, Hkv, T, D)
        var value = v.call(x).view(b, t, _kvHeads, _headSize).transpose(1, 2); // (B, Hkv, T, D)
        int group = _heads / _kvHeads;
        if (group > 1)
        {
            key = key.repeat_interleave(group, dim: 1); // (B, H, T, D)
            value = value.repeat_interleave(group, dim: 1);
        }
        // Scale 1/sqrt(D), as llama.cpp's kq_scale for llama and qwen2. (TorchSharp 0.107 spells the flag is_casual.)
        var y = nn.functional.scaled_dot_product_attention(query, key, value, is_casual: true); // (B, H, T, D)
        return output.call(y.transpose(1, 2).reshape(b, t, _heads * _headSize)); // (B, T, C)
    }
}
