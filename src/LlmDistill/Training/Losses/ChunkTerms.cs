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
        var student = CoarsenedDistribution.Soften(
            CoarsenedDistribution.Student(studentLogProbs, rows.TopKIds, rows.SlotUsed), temperature); // (m, K + 1)
        var divergence = CoarsenedDivergence.PerRow(options.Divergence, rows.Teacher, student);        // (m)
        var nll = studentLogProbs.gather(-1, rows.TargetIds.unsqueeze(-1)).squeeze(-1).neg();         // (m)
        var kl = (rows.KlWeight * divergence).sum();
        var loss = options.Alpha * temperature * temperature * kl + (1 - options.Alpha) * (rows.NllWeight * nll).sum();
        return new ChunkTerms(loss, kl, (rows.RationaleWeight * nll).sum(), (rows.AnswerWeight * nll).sum());
    }
}
