namespace LlmDistill.Traces;

/// <summary>
/// How log-probabilities and tail mass are stored (docs/trace-schema.md, "Top-k encoding"). Every log-probability
/// is quantised on its own to an unsigned 16-bit code of its negative in steps of 1/64 nat,
/// <c>code(lp) = min(65535, round(−lp × 64))</c>, decoded as <c>lp = −code / 64</c>: the error is at most half a
/// step, 1/128 ≈ 0.0078 nats, for any lp ≥ −1023.99 nats; 65535 decodes to −1023.98 nats, −∞ for any purpose.
/// <para>The top-k log-probabilities of a token (descending) are stored as gaps between consecutive codes:
/// <c>g[0] = code(lp[0])</c>, <c>g[j] = code(lp[j]) − code(lp[j−1])</c> ≥ 0, decoded as <c>lp[j] = −(g[0] + … + g[j]) / 64</c>.
/// The sums are exact integers, so errors never accumulate; small gaps compress far better than codes.</para>
/// <para>Tail mass is stored as the code of ln(tail mass), decoded as <c>exp(−code / 64)</c>: relative error
/// ≤ e^(1/128) − 1 ≈ 0.79 %; a tail of 0 saturates to 65535, which decodes to 0 in float.</para>
/// </summary>
internal static class TopKEncoding
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

    /// <summary>
    /// Gap codes of rows of top-k log-probabilities, [n × k] row-major, each row descending.
    /// </summary>
    public static void EncodeTopLogprobs(ReadOnlySpan<float> logprobs, int k, Span<ushort> gaps)
    {
        CheckShape(logprobs.Length, gaps.Length, k);
        for (int row = 0; row < logprobs.Length; row += k)
        {
            ushort previous = 0;
            for (int j = 0; j < k; j++)
            {
                ushort code = EncodeLogprob(logprobs[row + j]);
                if (code < previous)
                    throw new ArgumentException($"top-k log-probabilities must be descending per token (token {row / k}, rank {j}: {logprobs[row + j]} > {logprobs[row + j - 1]})", nameof(logprobs));
                gaps[row + j] = (ushort)(code - previous);
                previous = code;
            }
        }
    }

    /// <summary>Inverse of <see cref="EncodeTopLogprobs"/>: running sums of the gaps of each row, as log-probabilities.</summary>
    public static void DecodeTopLogprobs(ReadOnlySpan<ushort> gaps, int k, Span<float> logprobs)
    {
        CheckShape(logprobs.Length, gaps.Length, k);
        for (int row = 0; row < gaps.Length; row += k)
        {
            int code = 0;
            for (int j = 0; j < k; j++)
            {
                code += gaps[row + j];
                if (code > MaxCode) throw new InvalidDataException($"top-k gap codes of token {row / k} sum past {MaxCode}");
                logprobs[row + j] = DecodeLogprob((ushort)code);
            }
        }
    }

    static void CheckShape(int logprobs, int gaps, int k)
    {
        if (gaps != logprobs) throw new ArgumentException("gaps and logprobs must have the same length");
        if (k < 0 || (k == 0 ? logprobs != 0 : logprobs % k != 0))
            throw new ArgumentException($"length {logprobs} is not a multiple of k = {k}");
    }
}
