using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Answers;

namespace LlmDistill.Evaluation.Reports;

/// <summary>A question on which a student's greedy answer differs from the teacher's, with both rationales.</summary>
public sealed record Disagreement(Prediction Teacher, Prediction Student)
{
    /// <summary>Questions where the answers are not equivalent (a missing answer differs from everything), in data set order.</summary>
    public static IReadOnlyList<Disagreement> Find(IEnumerable<Prediction> teacher, IEnumerable<Prediction> student)
    {
        var students = ModelScoring.Greedy(student);
        return [.. teacher.Where(p => p.Sample == 0)
            .Where(t => students.TryGetValue(t.QuestionId, out var s) && !AnswerComparer.Equivalent(t.Answer, s.Answer))
            .Select(t => new Disagreement(t, students[t.QuestionId]))];
    }
}
