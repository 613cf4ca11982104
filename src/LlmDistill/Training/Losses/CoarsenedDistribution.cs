using TorchSharp;
using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// The distributions the KL term compares: the vocabulary coarsened to K + 1 outcomes, the teacher's top-k ids plus one
/// "rest" bucket holding everything else. Teacher rest = the stored tail mass; student rest = 1 − Σ_top-k q. Both are
/// exact distributions over the same K + 1 outcomes, so every divergence between them is well defined and is zero
/// exactly when the student matches the teacher on the coarsened support (the tail is never renormalised away).
/// Tensors are log-probabilities of shape (M, K + 1), column K being the rest bucket. A top-k slot the teacher left
/// unused (log-probability −∞) is −∞ on both sides, so its mass stays in the rest bucket.
/// </summary>
internal static class CoarsenedDistribution
{
    /// <summary>
    /// The least mass a rest bucket is given, by element type. A stored teacher tail of 0 (top-k covering all mass to
    /// float precision) and a student rest that cancels to ≤ 0 would give log 0 and an infinite reverse KL or JSD; below
    /// about 1e-7 (float32) the value is rounding noise of 1 − Σ p anyway, so the floor changes nothing measurable.
    /// </summary>
    public static double MinimumMass(ScalarType type) => type == ScalarType.Float64 ? 1e-12 : 1e-6;

    /// <summary>The teacher's coarsened log-probabilities: the stored top-k log p and log max(tail, floor).</summary>
    /// <param name="topKLogprobs">(M, K) log p at temperature 1; −∞ for unused slots</param>
    /// <param name="tailMass">(M) 1 − Σ top-k p</param>
    /// <returns>(M, K + 1)</returns>
    public static Tensor Teacher(Tensor topKLogprobs, Tensor tailMass)
    {
        using var scope = NewDisposeScope();
        var logTail = tailMass.clamp_min(MinimumMass(tailMass.dtype)).log().unsqueeze(-1);   // (M, 1)
        return cat([topKLogprobs, logTail], -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The student's coarsened log-probabilities: log q at the teacher's top-k ids and the log of the remaining mass,
    /// log(1 − exp(logsumexp(top-k log q))), computed without forming 1 − Σ q in linear space.
    /// </summary>
    /// <param name="studentLogProbs">(M, V) log_softmax of the student's logits at temperature 1</param>
    /// <param name="topKIds">(M, K) the teacher's top-k ids, each in [0, V)</param>
    /// <param name="slotUsed">(M, K) bool: false where the teacher left the slot unused (that slot's q stays in the rest)</param>
    /// <returns>(M, K + 1)</returns>
    public static Tensor Student(Tensor studentLogProbs, Tensor topKIds, Tensor slotUsed)
    {
        using var scope = NewDisposeScope();
        return StudentFromTopK(studentLogProbs.gather(-1, topKIds), slotUsed).MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="Student"/>, from the student's log-probabilities already gathered at the teacher's top-k ids.</summary>
    /// <param name="gathered">(M, K) log q at the teacher's top-k ids</param>
    /// <param name="slotUsed">(M, K) bool</param>
    /// <returns>(M, K + 1)</returns>
    public static Tensor StudentFromTopK(Tensor gathered, Tensor slotUsed)
    {
        using var scope = NewDisposeScope();
        var topK = where(slotUsed, gathered, full_like(gathered, double.NegativeInfinity));            // (M, K)
        var logRest = LogOneMinusExp(topK.logsumexp(-1, keepdim: true), MinimumMass(topK.dtype)); // (M, 1)
        return cat([topK, logRest], -1).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// log(1 − exp(x)) for log-masses x ≤ 0, with x first clamped to log(1 − <paramref name="minimumMass"/>) so the
    /// result is at least log(minimumMass) and finite, as is its gradient. Uses log(−expm1(x)) near 0 and
    /// log1p(−exp(x)) below −ln 2, each where it does not cancel (Mächler 2012, "Accurately computing log(1 − exp(−|a|))").
    /// </summary>
    public static Tensor LogOneMinusExp(Tensor x, double minimumMass)
    {
        using var scope = NewDisposeScope();
        var clamped = x.clamp_max(Math.Log(1 - minimumMass));
        var nearZero = clamped.expm1().neg().log();
        var farFromZero = clamped.exp().neg().log1p();
        return where(clamped.gt(-Math.Log(2)), nearZero, farFromZero).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Softens a coarsened distribution at temperature T: p_i^(1/T) renormalised over the K + 1 outcomes, the rest
    /// bucket counting as one outcome of mass tail. Applied identically to teacher and student, so the softened
    /// divergence is still zero exactly when the coarsened distributions agree. (The teacher's true softened
    /// distribution would need the individual tail probabilities, which were not stored.) T = 1 returns the input
    /// values unchanged, bit for bit.
    /// </summary>
    /// <param name="logProbs">(M, K + 1)</param>
    /// <returns>(M, K + 1)</returns>
    public static Tensor Soften(Tensor logProbs, double temperature)
    {
        if (temperature <= 0) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be positive");
        if (temperature == 1) return logProbs.alias();
        using var scope = NewDisposeScope();
        var scaled = logProbs / temperature;
        return (scaled - scaled.logsumexp(-1, keepdim: true)).MoveToOuterDisposeScope();
    }

    /// <summary>Entropy in nats of each row, treating −∞ entries as zero mass.</summary>
    /// <param name="logProbs">(M, K + 1)</param>
    /// <returns>(M)</returns>
    public static Tensor Entropy(Tensor logProbs)
    {
        using var scope = NewDisposeScope();
        var used = logProbs.isfinite();
        var safe = where(used, logProbs, zeros_like(logProbs));
        return (-(safe.exp() * safe).where(used, zeros_like(safe)).sum(-1)).MoveToOuterDisposeScope();
    }
}
