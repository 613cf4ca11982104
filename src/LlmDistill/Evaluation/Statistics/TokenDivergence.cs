using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Teacher;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Evaluation.Statistics;

/// <summary>
/// How far a student is from the teacher at one position of a teacher trace, from the student's raw logits and the
/// teacher's stored top-k. The KL is the training loss's coarsened one (<see cref="CoarsenedDistribution"/>): the
/// vocabulary folded to the teacher's top-k ids plus one "rest" outcome, teacher rest = stored tail mass, student
/// rest = 1 − Σ q over those ids, both floored at the same minimum mass, so eval and training report the same number.
/// </summary>
internal static class TokenDivergence
{
    /// <summary>The rest-bucket floor the float32 training loss uses (1e-6).</summary>
    static readonly double MinimumMass = CoarsenedDistribution.MinimumMass(ScalarType.Float32);

    /// <summary>Forward KL(teacher ‖ student) on the coarsened distributions, nats, and −log q(teacher's token), nats.</summary>
    /// <param name="studentLogits">the student's raw logits at this position, vocabulary-long</param>
    /// <param name="topIds">the teacher's top-k ids, best first</param>
    /// <param name="topLogprobs">the teacher's log p for those ids at temperature 1; −∞ marks an unused slot</param>
    /// <param name="tailMass">the teacher's 1 − Σ top-k p</param>
    /// <param name="token">the token the teacher actually wrote here</param>
    public static (double Kl, double Nll) At(ReadOnlySpan<float> studentLogits, ReadOnlySpan<int> topIds, ReadOnlySpan<float> topLogprobs, float tailMass, int token)
    {
        double logNormaliser = TopKLogprobs.LogSumExp(studentLogits);
        double kl = 0, studentTopMass = 0;
        for (int j = 0; j < topIds.Length; j++)
        {
            if (float.IsNegativeInfinity(topLogprobs[j])) continue; // unused slot: its mass is in both rest buckets
            double logP = topLogprobs[j], logQ = studentLogits[topIds[j]] - logNormaliser;
            kl += Math.Exp(logP) * (logP - logQ);
            studentTopMass += Math.Exp(logQ);
        }
        double teacherRest = Math.Max(tailMass, MinimumMass), studentRest = Math.Max(1 - studentTopMass, MinimumMass);
        kl += teacherRest * (Math.Log(teacherRest) - Math.Log(studentRest));
        return (kl, logNormaliser - studentLogits[token]);
    }
}
