using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// A linear map y = x·Wᵀ + b that can carry a low-rank adapter (LoRA, Hu et al. 2021): y += (α/r)·((x·Aᵀ)·Bᵀ), with
/// A (r, in) and B (out, r). This is llama.cpp's <c>build_lora_mm</c>: scale α/r where r is B's inner size, so the
/// adapter written from <see cref="LoraA"/> and <see cref="LoraB"/> computes in llama.cpp what it computes here.
/// The parameters are named <c>weight</c>, <c>bias</c>, <c>lora_a</c>, <c>lora_b</c>; the first two as torch's Linear names them,
/// so GGUF names are unchanged (<see cref="StudentTensorNames"/>).
/// </summary>
internal sealed class Projection : nn.Module<Tensor, Tensor>
{
    readonly Parameter weight; // (out, in)
    readonly Parameter? bias;  // (out)
#pragma warning disable IDE0044 // set by AttachLora after construction, registered by name
    Parameter? lora_a; // (r, in)
    Parameter? lora_b; // (out, r)
#pragma warning restore IDE0044
    double _loraScale;
    double _loraDropout;

    /// <summary>Initialised as torch's Linear is (Kaiming-uniform weight, uniform bias), drawing the same random numbers.</summary>
    public Projection(long inFeatures, long outFeatures, bool hasBias) : base(nameof(Projection))
    {
        weight = nn.Parameter(empty(outFeatures, inFeatures));
        nn.init.kaiming_uniform_(weight, a: Math.Sqrt(5));
        if (hasBias)
        {
            double bound = 1 / Math.Sqrt(inFeatures);
            bias = nn.Parameter(empty(outFeatures));
            nn.init.uniform_(bias, -bound, bound);
        }
        RegisterComponents();
    }

    public long InFeatures => weight.shape[1];
    public long OutFeatures => weight.shape[0];
    public Parameter Weight => weight;
    public Parameter? Bias => bias;
    public Parameter? LoraA => lora_a;
    public Parameter? LoraB => lora_b;
    public bool HasLora => lora_a is not null;

    /// <summary>Stores the (frozen) weight and bias as <paramref name="type"/>; <see cref="forward"/> casts its input to it and its output back.</summary>
    public void StoreAs(ScalarType type)
    {
        if (HasLora) throw new InvalidOperationException("Convert the base before attaching an adapter.");
        this.to(type);
    }

    /// <summary>
    /// Adds an adapter of <paramref name="rank"/>: A ~ Kaiming-uniform (as PEFT), B = 0, so the output is unchanged until
    /// B learns. <paramref name="alpha"/>/rank scales the product; <paramref name="dropout"/> applies to the adapter's input only.
    /// </summary>
    public void AttachLora(int rank, double alpha, double dropout)
    {
        if (HasLora) throw new InvalidOperationException("This projection already carries an adapter.");
        var a = nn.Parameter(empty(rank, InFeatures, dtype: ScalarType.Float32, device: weight.device));
        nn.init.kaiming_uniform_(a, a: Math.Sqrt(5));
        var b = nn.Parameter(zeros(OutFeatures, rank, dtype: ScalarType.Float32, device: weight.device));
        (lora_a, lora_b) = (a, b);
        register_parameter(nameof(lora_a), a);
        register_parameter(nameof(lora_b), b);
        (_loraScale, _loraDropout) = (alpha / rank, dropout);
    }

    /// <summary>The weight that computes this map alone, W + α/r · B·A (W itself without an adapter), detached: (out, in).</summary>
    public Tensor MergedWeight()
    {
        using var _ = no_grad();
        var w = weight.detach().to(ScalarType.Float32);
        return lora_a is null || lora_b is null ? w : w.add(lora_b.matmul(lora_a), alpha: _loraScale);
    }

    public override Tensor forward(Tensor x) // (…, in) → (…, out)
    {
        var y = weight.dtype == x.dtype ? nn.functional.linear(x, weight, bias)
            : nn.functional.linear(x.to(weight.dtype), weight, bias).to(x.dtype); // a bfloat16 base (LoraBaseType.BF16)
        if (lora_a is null || lora_b is null) return y;
        var input = _loraDropout > 0 && training ? nn.functional.dropout(x, _loraDropout, training: true) : x;
        var delta = nn.functional.linear(nn.functional.linear(input, lora_a), lora_b); // (…, out)
        return y.add(delta, alpha: _loraScale);
    }
}
