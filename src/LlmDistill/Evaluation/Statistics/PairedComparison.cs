using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
namespace LlmDistill.Evaluation.Statistics;

/// <summary>
/// Two models' greedy answers on the questions both answered that have gold: the 2 × 2 table of right/wrong and
/// McNemar's exact p-value, so "B beats A" comes with the chance of seeing such a split if both were equally good.
/// </summary>
public sealed record PairedComparison(string A, string B, int Questions, int BothCorrect, int OnlyA, int OnlyB, int BothWrong, double PValue)
{
    /// <summary>Accuracy of B minus accuracy of A on the shared questions.</summary>
    public double AccuracyDifference => Questions == 0 ? 0 : (OnlyB - OnlyA) / (double)Questions;

    public static PairedComparison Compare(string a, IEnumerable<Prediction> aPredictions, string b, IEnumerable<Prediction> bPredictions)
    {
        var first = ModelScoring.Greedy(aPredictions);
        var second = ModelScoring.Greedy(bPredictions);
        int both = 0, onlyA = 0, onlyB = 0, neither = 0;
        foreach (var (id, x) in first)
        {
            if (x.Correct is not bool right || !second.TryGetValue(id, out var y) || y.Correct is not bool otherRight) continue;
            if (right && otherRight) both++;
            else if (right) onlyA++;
            else if (otherRight) onlyB++;
            else neither++;
        }
        return new PairedComparison(a, b, both + onlyA + onlyB + neither, both, onlyA, onlyB, neither, Metrics.McNemarExact(onlyA, onlyB));
    }

    /// <summary>Every pair of models, in the order given (teacher first, then students).</summary>
    public static IReadOnlyList<PairedComparison> AllPairs(IReadOnlyList<(string Name, IReadOnlyList<Prediction> Predictions)> models)
    {
        var pairs = new List<PairedComparison>();
        for (int i = 0; i < models.Count; i++)
            for (int j = i + 1; j < models.Count; j++)
                pairs.Add(Compare(models[i].Name, models[i].Predictions, models[j].Name, models[j].Predictions));
        return pairs;
    }
}
