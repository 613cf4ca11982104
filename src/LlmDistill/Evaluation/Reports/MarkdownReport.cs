using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text;

namespace LlmDistill.Evaluation.Reports;

/// <summary><c>report.md</c>: the headline per student, the model table, paired comparisons and a few disagreements.</summary>
internal static class MarkdownReport
{
    /// <summary>Disagreements listed per student; the HTML report and predictions.parquet hold them all.</summary>
    public const int MaxDisagreements = 10;
    const int MaxRationale = 300;

    public static string Render(EvalReport report, IReadOnlyList<Prediction> predictions)
    {
        var md = new StringBuilder();
        var teacher = report.Models.First(m => m.Name == report.Teacher);
        md.AppendLine("# How much of the teacher did the students keep?").AppendLine();
        md.AppendLine($"{report.Dataset}, {teacher.Questions} questions, prompt template `{report.PromptTemplate}`, up to {report.MaxTokens} tokens per answer, greedy" +
            (report.Samples > 0 ? $" (plus {report.Samples} samples at temperature {report.SampleTemperature} for self-consistency)" : "") +
            $"; teacher: {teacher.Name}. {report.CreatedUtc:yyyy-MM-dd HH:mm} UTC.").AppendLine();
        foreach (var student in report.Models.Where(m => m.Role == ModelRole.Student))
            md.AppendLine($"- {ReportText.Headline(student, teacher)}");
        md.AppendLine();

        var columns = ModelTable.Columns(report);
        md.AppendLine("## Models").AppendLine();
        md.AppendLine("| " + string.Join(" | ", columns.Select(c => c.Header)) + " |");
        md.AppendLine("|" + string.Concat(columns.Select(_ => "---|")));
        foreach (var model in report.Models) md.AppendLine("| " + string.Join(" | ", columns.Select(c => Cell(c.Value(model)))) + " |");
        md.AppendLine();

        if (report.Comparisons.Count > 0)
        {
            md.AppendLine("## Paired comparisons (McNemar's exact test)").AppendLine();
            md.AppendLine("| A | B | questions | only A right | only B right | B − A | p |").AppendLine("|---|---|---|---|---|---|---|");
            foreach (var c in report.Comparisons)
                md.AppendLine($"| {Cell(c.A)} | {Cell(c.B)} | {c.Questions} | {c.OnlyA} | {c.OnlyB} | {ReportText.Percent(c.AccuracyDifference)} | {ReportText.PValue(c.PValue)} |");
            md.AppendLine();
        }

        var byModel = predictions.ToLookup(p => p.Model);
        foreach (var student in report.Models.Where(m => m.Role == ModelRole.Student))
        {
            var disagreements = Disagreement.Find(byModel[teacher.Name], byModel[student.Name]);
            md.AppendLine($"## {student.Name} vs {teacher.Name}: {disagreements.Count} disagreements").AppendLine();
            foreach (var d in disagreements.Take(MaxDisagreements))
            {
                md.AppendLine($"- **{Inline(d.Teacher.Question)}** (gold {d.Teacher.GoldAnswer ?? "–"})");
                md.AppendLine($"  - teacher: {d.Teacher.Answer ?? "no answer"}: {Inline(Cut(d.Teacher.Rationale))}");
                md.AppendLine($"  - student: {d.Student.Answer ?? "no answer"}: {Inline(Cut(d.Student.Rationale))}");
            }
            md.AppendLine();
        }
        return md.ToString();
    }

    static string Cut(string text) => text.Length <= MaxRationale ? text : text[..MaxRationale] + "…";
    static string Inline(string text) => text.ReplaceLineEndings(" ").Replace("*", "\\*").Replace("_", "\\_");
    static string Cell(string text) => Inline(text).Replace("|", "\\|");
}
