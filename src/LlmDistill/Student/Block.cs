using LlmDistill.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// One pre-norm decoder block: x + attn(attn_norm(x)), then h + ffn(ffn_norm(h)). Gemma3 also norms each branch's output
/// before the add: x + post_attention_norm(attn(…)), h + post_ffw_norm(ffn(…)).
/// </summary>
internal sealed class Block : nn.Module<Tensor, Tensor, Tensor, Tensor>
{
    readonly RmsNorm attn_norm;
    readonly Attention attn;
    readonly RmsNorm ffn_norm;
    readonly Mlp ffn;
    readonly RmsNorm? post_attention_norm, post_ffw_norm; // Gemma3

    public Block(LlamaModelConfig config, int index) : base(nameof(Block))
    {
        attn_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        attn = new Attention(config, config.WindowOf(index));
        ffn_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        ffn = new Mlp(config);
        if (config.PostNorms)
        {
            post_attention_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
            post_ffw_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor cos, Tensor sin) // x (B, T, C)
    {
        var attended = attn.call(attn_norm.call(x), cos, sin);
        x = x + (post_attention_norm?.call(attended) ?? attended);
        var fed = ffn.call(ffn_norm.call(x));
        return x + (post_ffw_norm?.call(fed) ?? fed);
    }
}
