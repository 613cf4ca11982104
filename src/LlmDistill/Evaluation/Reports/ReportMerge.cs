using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
namespace LlmDistill.Evaluation.Reports;

/// <summary>
/// Rebuilds a report from one or more report folders without running any model: each metrics.json gives the models'
/// measured facts (size, speed, divergence, training curve), the predictions.parquet beside it the answers, and every
/// score and comparison is recomputed. Merging puts all models in one report against the first report's teacher; the
/// same teacher met again is kept once, and clashing names get their report folder's name appended.
/// </summary>
public static class ReportMerge
{
    public static (EvalReport Report, IReadOnlyList<Prediction> Predictions) Load(IReadOnlyList<string> metricsPaths)
    {
        if (metricsPaths.Count == 0) throw new ArgumentException("name at least one metrics.json to report on");
        EvalReport? first = null;
        var models = new List<ModelResult>();
        var predictions = new List<Prediction>();
        var datasets = new List<string>();
        foreach (string path in metricsPaths)
        {
            var report = EvalReport.Load(path);
            string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var answers = PredictionsWriter.Read(Path.Combine(folder, PredictionsWriter.FileName)).ToLookup(p => p.Model);
            first ??= report;
            if (!datasets.Contains(report.Dataset)) datasets.Add(report.Dataset);
            foreach (var model in report.Models)
            {
                if (model.Role == ModelRole.Teacher && models.Any(m => SameModel(m, model))) continue;
                string name = models.Any(m => m.Name == model.Name) ? $"{model.Name} ({Path.GetFileName(folder)})" : model.Name;
                models.Add(model with { Name = name });
                predictions.AddRange(answers[model.Name].Select(p => p with { Model = name }));
            }
        }
        var header = first! with { Dataset = string.Join(" + ", datasets), Samples = metricsPaths.Count == 1 ? first.Samples : models.Max(m => m.Samples) };
        return (EvalReport.Build(header, models, predictions), predictions);
    }

    /// <summary>The same model file evaluated in two runs: same name, parameters and bytes.</summary>
    static bool SameModel(ModelResult a, ModelResult b) => a.Name == b.Name && a.Params == b.Params && a.FileBytes == b.FileBytes;
}
