using LlmDistill.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>One pre-norm decoder block: x + attn(attn_norm(x)), then h + ffn(ffn_norm(h)).</summary>
internal sealed class Block : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly RmsNorm attn_norm;
    readonly Attention attn;
    readonly RmsNorm ffn_norm;
    readonly Mlp ffn;

    public Block(LlamaModelConfig config) : base(nameof(Block))
    {
        attn_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        attn = new Attention(config);
        ffn_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        ffn = new Mlp(config);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin) // x (B, T, C)
    {
        x = x + attn.call(attn_norm.call(x), cos, sin);
        return x + ffn.call(ffn_norm.call(x));
    }
}
