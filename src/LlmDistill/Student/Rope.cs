using LlmDistill.Models;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>Which channels of a head RoPE rotates together; must match the q/k row layout the GGUF holds.</summary>
internal enum RopeStyle
{
    /// <summary>llama.cpp <c>LLAMA_ROPE_TYPE_NORM</c> (arch <c>llama</c>): pairs (2i, 2i+1).</summary>
    AdjacentPairs,
    /// <summary>llama.cpp <c>LLAMA_ROPE_TYPE_NEOX</c> (arch <c>qwen2</c>, <c>qwen3</c>, <c>gemma3</c>), Hugging Face's rotate_half: pairs (i, i + d/2).</summary>
    HalfSplit,
}

/// <summary>
/// Rotary position embedding as llama.cpp applies it (per-frequency factors, no other scaling, no YaRN): pair i of a head of size d turns by
/// position · base^(−2i/d) radians. The student keeps q/k rows exactly as the GGUF stores them and rotates them in the
/// style llama.cpp uses for that architecture (<c>llama_model_rope_type</c>), so import and export copy rows unpermuted.
/// </summary>
internal static class Rope
{
    public static RopeStyle StyleOf(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Llama => RopeStyle.AdjacentPairs,
        ModelArchitecture.Qwen2 or ModelArchitecture.Qwen3 or ModelArchitecture.Gemma3 => RopeStyle.HalfSplit,
        _ => throw new ArgumentOutOfRangeException(nameof(architecture), architecture, null),
    };

    /// <summary>
    /// cos and sin of the rotation angles of positions 0..count−1, each (T, D/2), float32; each frequency divided by
    /// its <paramref name="factors"/> entry when given (D/2, Llama 3's rope_freqs).
    /// </summary>
    public static (Tensor Cos, Tensor Sin) Angles(int headSize, float freqBase, long count, Device device, Tensor? factors = null)
    {
        // Angles in float64 so that position × frequency loses nothing before cos/sin; llama.cpp differs by < 1e-5 rad.
        var frequencies = pow((double)freqBase, arange(0, headSize, 2, float64, device) / -(double)headSize); // (D/2)
        if (factors is not null) frequencies = frequencies / factors.detach().to(float64);
        var angles = outer(arange(count, float64, device), frequencies); // (T, D/2)
        return (angles.cos().to(float32), angles.sin().to(float32));
    }

    /// <summary>Rotates q or k of shape (B, T, H, D) by the angles of <see cref="Angles"/>.</summary>
    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin, RopeStyle style)
    {
        long[] shape = x.shape;
        cos = cos.unsqueeze(1); // (T, 1, D/2): broadcast over heads
        sin = sin.unsqueeze(1);
        if (style == RopeStyle.AdjacentPairs)
        {
            var pairs = x.view(shape[0], shape[1], shape[2], shape[3] / 2, 2); // (B, T, H, D/2, 2)
            var (even, odd) = (pairs.select(-1, 0), pairs.select(-1, 1)); // (B, T, H, D/2) each
            return stack([even * cos - odd * sin, even * sin + odd * cos], -1).view(shape); // (B, T, H, D)
        }
        var halves = x.chunk(2, -1); // (B, T, H, D/2) each
        var (first, second) = (halves[0], halves[1]);
        return cat([first * cos - second * sin, first * sin + second * cos], -1); // (B, T, H, D)
    }
}
