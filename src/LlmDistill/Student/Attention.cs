using LlmDistill.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Grouped-query causal self-attention with RoPE. Field names are the GGUF tensor names after <c>attn_</c>
/// (q → <c>blk.N.attn_q</c>, output → <c>blk.N.attn_output</c>); see <see cref="StudentTensorNames"/>.
/// Query head h reads key/value head h / (HeadCount / HeadCountKv), as llama.cpp's broadcast does.
/// A block with a sliding window (Gemma3's local blocks) lets a query at p1 see keys p0 with p1 − window &lt; p0 ≤ p1.
/// </summary>
internal sealed class Attention : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly int _heads, _kvHeads, _headSize;
    readonly int? _window;
    readonly double _scale;
    readonly RopeStyle _rope;
    readonly Projection q, k, v, output;
    readonly RmsNorm? q_norm, k_norm; // Qwen3: over each head, before RoPE

    public Attention(LlamaModelConfig config, int? window = null) : base(nameof(Attention))
    {
        (_heads, _kvHeads, _headSize) = (config.HeadCount, config.HeadCountKv, config.HeadSize);
        (_window, _scale) = (window, config.AttentionScale);
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
        // SDPA scales q·k by 1/sqrt(D), llama.cpp's kq_scale for llama and qwen; another scale (Gemma3 27B) goes on q first.
        double defaultScale = 1.0 / Math.Sqrt(_headSize);
        if (Math.Abs(_scale - defaultScale) > 1e-12 * defaultScale) query = query * (_scale / defaultScale);
        // (TorchSharp 0.107 spells the flag is_casual.)
        var y = _window is int window && t > window
            ? nn.functional.scaled_dot_product_attention(query, key, value, SlidingWindowMask(t, window, x.device))
            : nn.functional.scaled_dot_product_attention(query, key, value, is_casual: true); // (B, H, T, D)
        return output.call(y.transpose(1, 2).reshape(b, t, _heads * _headSize)); // (B, T, C)
    }

    /// <summary>(T, T) bool, true where query row p1 may read key column p0: p1 − window &lt; p0 ≤ p1.</summary>
    static Tensor SlidingWindowMask(long t, int window, Device device)
    {
        var distance = arange(t, device: device).unsqueeze(1) - arange(t, device: device).unsqueeze(0); // (T, T): p1 − p0
        return distance.ge(0).logical_and(distance.lt(window));
    }
}
