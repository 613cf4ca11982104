using LlmDistill.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Gated feed-forward: down(act(gate(x)) · up(x)), act = SiLU (SwiGLU), or GELU with the tanh approximation for Gemma3
/// (llama.cpp's <c>ggml_gelu</c>). Fields map to <c>blk.N.ffn_gate/ffn_up/ffn_down</c>.
/// </summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Projection gate, up, down;
    readonly bool _gelu;

    /// <summary>
    /// Rounds GELU's input and output to F16 as llama.cpp's CPU backend does (GGML_GELU_FP16: a table over every F16
    /// value), about 5e-4 relative, so that a parity check can hold llama.cpp to 1e-3. Off for training: the exact function
    /// is the one Gemma was trained with, and rounding has no gradient.
    /// </summary>
    internal bool GeluRoundedLikeGgmlCpu { get; set; }

    public Mlp(LlamaModelConfig config) : base(nameof(Mlp))
    {
        gate = new Projection(config.EmbeddingLength, config.FeedForwardLength, hasBias: false);
        up = new Projection(config.EmbeddingLength, config.FeedForwardLength, hasBias: false);
        down = new Projection(config.FeedForwardLength, config.EmbeddingLength, hasBias: false);
        _gelu = config.Architecture == ModelArchitecture.Gemma3;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (B, T, C)
    {
        var g = gate.call(x); // (B, T, F)
        var hidden = (_gelu ? Gelu(g) : nn.functional.silu(g)) * up.call(x); // (B, T, F)
        return down.call(hidden); // (B, T, C)
    }

    Tensor Gelu(Tensor g)
    {
        if (!GeluRoundedLikeGgmlCpu) return nn.functional.gelu(g, GELU.Approximate.tanh);
        // ggml: x ≤ −10 → 0, x ≥ 10 → x, otherwise table[f16(x)], an F16 value.
        var table = nn.functional.gelu(g.to(float16).to(float32), GELU.Approximate.tanh).to(float16).to(float32);
        return where(g.le(-10), zeros_like(g), where(g.ge(10), g, table));
    }
}
