using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.IO;
namespace LlmDistill.Evaluation.Reports;

/// <summary>
/// Writes a report folder: metrics.json, predictions.parquet, report.md and report.html. Everything goes into a
/// sibling staging folder that is renamed into place at the end, so a failure or Ctrl-C leaves the old folder or
/// none, never half a report.
/// </summary>
public static class ReportFolder
{
    public const string MarkdownFile = "report.md";
    public const string HtmlFile = "report.html";

    public static void Write(string folder, EvalReport report, IReadOnlyList<Prediction> predictions, bool replace)
    {
        string target = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        if (Directory.Exists(target) && !replace)
            throw new ArgumentException($"the report folder {folder} already exists; allow replacing it, or choose another folder.");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string staging = $"{target}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        try
        {
            report.Save(Path.Combine(staging, EvalReport.FileName));
            PredictionsWriter.Write(Path.Combine(staging, PredictionsWriter.FileName), predictions);
            File.WriteAllText(Path.Combine(staging, MarkdownFile), MarkdownReport.Render(report, predictions));
            File.WriteAllText(Path.Combine(staging, HtmlFile), HtmlReport.Render(report, predictions, ReportCharts.Draw(report)));
            FolderSwap.Replace(staging, target);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }
}
