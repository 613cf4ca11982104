using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// One block of rows' contribution to each weighted mean: summing these over all blocks gives the batch's values.
/// All are 0-d tensors attached to the block's graph.
/// </summary>
readonly record struct ChunkTerms(Tensor Loss, Tensor Kl, Tensor NllRationale, Tensor NllAnswer)
{
    /// <summary>The contribution of rows whose student log-probabilities at temperature 1 are <paramref name="studentLogProbs"/> (m, V).</summary>
    public static ChunkTerms Of(Tensor studentLogProbs, LossRows rows, DistillationLossOptions options, double temperature)
    {
        var (topK, target) = Gather(studentLogProbs, rows);
        return Of(topK, target, rows, options, temperature);
    }

    /// <summary>The only student log-probabilities the terms read: at the teacher's top-k ids (m, K) and at the target (m).</summary>
    public static (Tensor TopK, Tensor Target) Gather(Tensor studentLogProbs, LossRows rows) =>
        (studentLogProbs.gather(-1, rows.TopKIds), studentLogProbs.gather(-1, rows.TargetIds.unsqueeze(-1)).squeeze(-1));

    /// <summary>The contribution from the gathered student log-probabilities (see <see cref="Gather"/>).</summary>
    /// <param name="topK">(m, K) student log q at the teacher's top-k ids</param>
    /// <param name="target">(m) student log q at the target token</param>
    public static ChunkTerms Of(Tensor topK, Tensor target, LossRows rows, DistillationLossOptions options, double temperature)
    {
        var student = CoarsenedDistribution.Soften(CoarsenedDistribution.StudentFromTopK(topK, rows.SlotUsed), temperature); // (m, K + 1)
        var divergence = CoarsenedDivergence.PerRow(options.Divergence, rows.Teacher, student);        // (m)
        var nll = target.neg();                                                                         // (m)
        var kl = (rows.KlWeight * divergence).sum();
        var loss = options.Alpha * temperature * temperature * kl + (1 - options.Alpha) * (rows.NllWeight * nll).sum();
        return new ChunkTerms(loss, kl, (rows.RationaleWeight * nll).sum(), (rows.AnswerWeight * nll).sum());
    }
}
