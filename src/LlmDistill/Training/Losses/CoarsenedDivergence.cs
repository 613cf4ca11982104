using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// Divergences between two coarsened distributions given as log-probabilities of shape (M, K + 1), one value per row.
/// An outcome with −∞ on the teacher side is an unused top-k slot, −∞ on the student side too (see
/// <see cref="CoarsenedDistribution"/>); such outcomes contribute 0 and are replaced by 0 before any arithmetic, so
/// neither values nor gradients ever see −∞ − (−∞).
/// </summary>
internal static class CoarsenedDivergence
{
    /// <param name="teacher">(M, K + 1) log p</param>
    /// <param name="student">(M, K + 1) log q</param>
    /// <returns>(M) the divergence per row, in nats</returns>
    public static Tensor PerRow(Divergence divergence, Tensor teacher, Tensor student)
    {
        using var scope = NewDisposeScope();
        var used = teacher.isfinite();                                   // (M, K + 1)
        var logP = where(used, teacher, zeros_like(teacher));
        var logQ = where(used, student, zeros_like(student));
        var terms = divergence switch                                  // (M, K + 1)
        {
            Divergence.Forward => logP.exp() * (logP - logQ),
            Divergence.Reverse => logQ.exp() * (logQ - logP),
            Divergence.Jsd jsd => JsdTerms(logP, logQ, jsd.Beta),
            _ => throw new ArgumentException($"unknown divergence {divergence}", nameof(divergence)),
        };
        return terms.where(used, zeros_like(terms)).sum(-1).MoveToOuterDisposeScope();
    }

    /// <summary>β·p·(log p − log m) + (1 − β)·q·(log q − log m), m = β·p + (1 − β)·q, elementwise.</summary>
    static Tensor JsdTerms(Tensor logP, Tensor logQ, double beta)
    {
        var logM = logaddexp(logP + Math.Log(beta), logQ + Math.Log(1 - beta));
        return beta * logP.exp() * (logP - logM) + (1 - beta) * logQ.exp() * (logQ - logM);
    }
}
