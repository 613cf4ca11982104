using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;

namespace LlmDistill.Evaluation.Running;

/// <summary>
/// A student's training loss by step, read from the <c>metrics.jsonl</c> the trainer writes beside its checkpoint:
/// one JSON object per line with numeric <c>step</c> and <c>loss</c>. Lines without both (evaluation-only lines, a
/// line cut short by a killed run) are passed over.
/// </summary>
internal static class TrainingCurve
{
    public const string FileName = "metrics.jsonl";

    /// <summary>Most points kept: a long run logs every step, and the report needs the shape, not every point.</summary>
    public const int MaxPoints = 1000;

    public static IReadOnlyList<LossPoint> Read(string path)
    {
        var points = new List<LossPoint>();
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                if (root.ValueKind == JsonValueKind.Object
                    && root.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number
                    && root.TryGetProperty("loss", out var loss) && loss.ValueKind == JsonValueKind.Number
                    && double.IsFinite(loss.GetDouble()))
                    points.Add(new LossPoint(step.GetInt64(), loss.GetDouble()));
            }
            catch (JsonException) { }
        }
        return Thin(points);
    }

    /// <summary>Every k-th point so at most <see cref="MaxPoints"/> remain, the last one always kept.</summary>
    static IReadOnlyList<LossPoint> Thin(List<LossPoint> points)
    {
        if (points.Count <= MaxPoints) return points;
        int stride = (points.Count + MaxPoints - 2) / (MaxPoints - 1);
        var kept = points.Where((_, i) => i % stride == 0).ToList();
        if (kept[^1] != points[^1]) kept.Add(points[^1]);
        return kept;
    }
}
