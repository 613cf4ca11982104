using System.Text.Json.Nodes;
using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training.OnPolicy;

/// <summary>
/// The trainer's data in one on-policy round: each micro-batch comes from the student's scored samples with
/// probability λ (divergence only, <see cref="DistillationBatch.DivergenceOnly"/>), else from the teacher's traces
/// (divergence and likelihood, as off-policy training). The draw for micro-batch m of round r is a fixed function of
/// (seed, r, m), so the stream after a saved position is the same in any process. The position is
/// <c>{"round", "micro", "teacher", "student"}</c>: the teacher-trace stream runs on across rounds; the student stream
/// and the micro-batch count start again in each round (a new round has new samples).
/// </summary>
internal sealed class MixedBatches(ITrainingBatches teacher, ITrainingBatches student, double lambda, long seed, int round) : ITrainingBatches
{
    public long? BatchesPerEpoch => teacher.BatchesPerEpoch;

    public IEnumerable<DistillationBatch> Eval() => teacher.Eval();

    public IEnumerable<PositionedBatch> Train(JsonNode? position)
    {
        bool sameRound = position?["round"]?.GetValue<int>() == round;
        long micro = sameRound ? position!["micro"]!.GetValue<long>() : 0;
        JsonNode? teacherAt = position?["teacher"]?.DeepClone();
        JsonNode? studentAt = sameRound ? position!["student"]?.DeepClone() : null;
        using var fromTeacher = teacher.Train(teacherAt).GetEnumerator();
        using var fromStudent = student.Train(studentAt).GetEnumerator();
        for (; ; micro++)
        {
            bool onPolicy = IsOnPolicy(micro);
            var source = onPolicy ? fromStudent : fromTeacher;
            if (!source.MoveNext()) yield break;
            var (batch, next) = source.Current;
            if (onPolicy) studentAt = next; else teacherAt = next;
            var positionAfter = new JsonObject
            {
                ["round"] = round, ["micro"] = micro + 1, ["teacher"] = teacherAt?.DeepClone(), ["student"] = studentAt?.DeepClone(),
            };
            yield return new PositionedBatch(onPolicy ? batch with { DivergenceOnly = true } : batch, positionAfter);
        }
    }

    /// <summary>Whether micro-batch <paramref name="micro"/> of this round is on-policy: a uniform draw below λ.</summary>
    bool IsOnPolicy(long micro)
    {
        if (lambda <= 0) return false;
        if (lambda >= 1) return true;
        double u = (SeededRandom.For(seed * 1_000_003 + round, micro).NextUInt64() >> 11) * (1.0 / (1UL << 53));
        return u < lambda;
    }
}
