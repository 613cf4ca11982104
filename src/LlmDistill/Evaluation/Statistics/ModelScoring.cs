using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Answers;

namespace LlmDistill.Evaluation.Statistics;

/// <summary>
/// Everything in a <see cref="ModelResult"/> that follows from the per-question predictions: accuracy and its
/// interval, answered share, completion length, self-consistency, and the comparisons with the teacher.
/// </summary>
internal static class ModelScoring
{
    /// <param name="model">the model's facts (size, speed, divergence)</param>
    /// <param name="predictions">this model's predictions, every sample</param>
    /// <param name="teacher">the teacher's facts and predictions; null when <paramref name="model"/> is the teacher</param>
    public static ModelResult Score(ModelResult model, IReadOnlyList<Prediction> predictions, (ModelResult Facts, IReadOnlyList<Prediction> Predictions)? teacher)
    {
        var greedy = Greedy(predictions);
        var graded = greedy.Values.Where(p => p.Correct is not null).ToArray();
        int correct = graded.Count(p => p.Correct == true);
        var interval = Metrics.WilsonInterval(correct, graded.Length);
        double? accuracy = graded.Length == 0 ? null : correct / (double)graded.Length;
        int samples = predictions.Count == 0 ? 0 : predictions.Max(p => p.Sample);
        var scored = model with
        {
            Questions = greedy.Count, QuestionsWithGold = graded.Length, Correct = correct, Accuracy = accuracy,
            CiLow = interval?.Low, CiHigh = interval?.High,
            AnsweredShare = greedy.Count == 0 ? 0 : greedy.Values.Count(p => p.Answer is not null) / (double)greedy.Count,
            MeanCompletionTokens = greedy.Count == 0 ? 0 : greedy.Values.Average(p => p.CompletionTokens),
            Samples = samples, SelfConsistencyAccuracy = samples == 0 ? null : SelfConsistency(predictions),
        };
        if (teacher is not { } t) return scored with { AgreementWithTeacher = null, Retention = null, CompressionParams = null, CompressionBytes = null };
        var teacherGreedy = Greedy(t.Predictions);
        var pairs = greedy.Values.Where(p => teacherGreedy.ContainsKey(p.QuestionId)).Select(p => (p.Answer, teacherGreedy[p.QuestionId].Answer)).ToArray();
        var teacherAccuracy = Score(t.Facts, t.Predictions, null).Accuracy;
        return scored with
        {
            AgreementWithTeacher = Metrics.Agreement(pairs), Retention = Metrics.Retention(accuracy, teacherAccuracy),
            CompressionParams = Metrics.Compression(t.Facts.Params, model.Params), CompressionBytes = Metrics.Compression(t.Facts.FileBytes, model.FileBytes),
        };
    }

    /// <summary>Each question's greedy prediction (sample 0), by question id.</summary>
    public static Dictionary<string, Prediction> Greedy(IEnumerable<Prediction> predictions) =>
        predictions.Where(p => p.Sample == 0).GroupBy(p => p.QuestionId).ToDictionary(g => g.Key, g => g.First());

    /// <summary>Share of graded questions whose majority answer over the temperature samples (1..N) matches gold.</summary>
    static double? SelfConsistency(IReadOnlyList<Prediction> predictions)
    {
        var votes = predictions.Where(p => p.Sample > 0 && p.GoldAnswer is not null).GroupBy(p => p.QuestionId)
            .Select(g => AnswerComparer.Equivalent(MajorityVote.Count(g.OrderBy(p => p.Sample).Select(p => p.Answer).ToArray()).Answer, g.First().GoldAnswer))
            .ToArray();
        return votes.Length == 0 ? null : votes.Count(v => v) / (double)votes.Length;
    }
}
