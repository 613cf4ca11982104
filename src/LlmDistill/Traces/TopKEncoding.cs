namespace LlmDistill.Traces;

/// <summary>
/// How log-probabilities and tail mass are stored: as unsigned 16-bit codes of negative log-probability in steps of
/// 1/64 nat, <c>code = min(65535, round(−logprob × 64))</c>, decoded as <c>logprob = −code / 64</c>. Each value is
/// quantised on its own (no running sums), so the error of any decoded log-probability is at most half a step,
/// 1/128 ≈ 0.0078 nats, for every logprob ≥ −1023.99 nats; the largest code, 65535, decodes to −1023.98 nats,
/// which is −∞ for any purpose (p below 1e−444). Tail mass is stored as the code of ln(tail mass): decoded as
/// <c>exp(−code / 64)</c>, relative error ≤ e^(1/128) − 1 ≈ 0.79 %, and a tail of 0 saturates to 65535, which
/// decodes to 0 in float.
/// </summary>
public static class TopKEncoding
{
    /// <summary>Codes per nat.</summary>
    public const int StepsPerNat = 64;
    /// <summary>One code step in nats.</summary>
    public const double Step = 1.0 / StepsPerNat;
    /// <summary>Worst-case |decoded − original| for a logprob in [−1023.99, 0], nats.</summary>
    public const double MaxLogprobError = Step / 2;
    public const ushort MaxCode = ushort.MaxValue;

    /// <summary>Code of a log-probability (nats, ≤ 0; positive rounding noise counts as 0).</summary>
    public static ushort EncodeLogprob(float logprob)
    {
        if (float.IsNaN(logprob)) throw new ArgumentException("log-probability is NaN", nameof(logprob));
        double steps = Math.Round(-(double)logprob * StepsPerNat, MidpointRounding.ToEven);
        return (ushort)Math.Clamp(steps, 0, MaxCode);
    }

    public static float DecodeLogprob(ushort code) => -code / (float)StepsPerNat;

    /// <summary>Code of a tail mass (probability in [0, 1]) as the code of its natural log; 0 saturates.</summary>
    public static ushort EncodeTailMass(float tailMass)
    {
        if (float.IsNaN(tailMass)) throw new ArgumentException("tail mass is NaN", nameof(tailMass));
        return tailMass <= 0 ? MaxCode : EncodeLogprob(MathF.Log(Math.Min(tailMass, 1f)));
    }

    public static float DecodeTailMass(ushort code) => (float)Math.Exp(-(double)code / StepsPerNat);

    public static void EncodeLogprobs(ReadOnlySpan<float> logprobs, Span<ushort> codes)
    {
        if (codes.Length != logprobs.Length) throw new ArgumentException("codes and logprobs must have the same length");
        for (int i = 0; i < logprobs.Length; i++) codes[i] = EncodeLogprob(logprobs[i]);
    }

    public static void DecodeLogprobs(ReadOnlySpan<ushort> codes, Span<float> logprobs)
    {
        if (codes.Length != logprobs.Length) throw new ArgumentException("codes and logprobs must have the same length");
        for (int i = 0; i < codes.Length; i++) logprobs[i] = DecodeLogprob(codes[i]);
    }

    public static void EncodeTailMasses(ReadOnlySpan<float> tailMass, Span<ushort> codes)
    {
        if (codes.Length != tailMass.Length) throw new ArgumentException("codes and tail masses must have the same length");
        for (int i = 0; i < tailMass.Length; i++) codes[i] = EncodeTailMass(tailMass[i]);
    }

    public static void DecodeTailMasses(ReadOnlySpan<ushort> codes, Span<float> tailMass)
    {
        if (codes.Length != tailMass.Length) throw new ArgumentException("codes and tail masses must have the same length");
        for (int i = 0; i < codes.Length; i++) tailMass[i] = DecodeTailMass(codes[i]);
    }
}
