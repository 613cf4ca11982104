using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Root-mean-square norm as llama.cpp's <c>ggml_rms_norm</c> then a per-channel scale: x / sqrt(mean(x²) + eps) · weight.
/// The one parameter is named <c>weight</c> so the module's tensor is <c>….attn_norm.weight</c> etc. in GGUF.
/// </summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    readonly double _eps;
    readonly Parameter weight;

    public RmsNorm(long channels, double eps) : base(nameof(RmsNorm))
    {
        _eps = eps;
        weight = nn.Parameter(ones(channels));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) // (B, T, C)
    {
        var scale = rsqrt(x.pow(2).mean([-1], keepdim: true) + _eps); // (B, T, 1)
        return x * scale * weight;
    }
}
