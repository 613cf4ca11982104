using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// Llama 3's RoPE frequency divisors (GGUF <c>rope_freqs.weight</c>, head size / 2 floats): part of the model file but
/// fixed by its rope_scaling, so the parameter is frozen (no gradient; AdamW and clipping skip it).
/// </summary>
internal sealed class RopeFactors : nn.Module
{
    readonly Parameter weight;

    public RopeFactors(long count) : base(nameof(RopeFactors))
    {
        weight = nn.Parameter(ones(count), requires_grad: false);
        RegisterComponents();
    }

    public Tensor Weight => weight;
}
