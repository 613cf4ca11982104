using LlmDistill.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) · up(x)). Fields map to <c>blk.N.ffn_gate/ffn_up/ffn_down</c>.</summary>
internal sealed class Mlp : nn.Module<Tensor, Tensor>
{
    readonly Projection gate, up, down;

    public Mlp(LlamaModelConfig config) : base(nameof(Mlp))
    {
        gate = new Projection(config.EmbeddingLength, config.FeedForwardLength, hasBias: false);
        up = new Projection(config.EmbeddingLength, config.FeedForwardLength, hasBias: false);
        down = new Projection(config.FeedForwardLength, config.EmbeddingLength, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (B, T, C)
    {
        var hidden = nn.functional.silu(gate.call(x)) * up.call(x); // (B, T, F)
        return down.call(hidden); // (B, T, C)
    }
}
