using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
namespace LlmDistill.Evaluation.Reports;

/// <summary>The per-model table every report shows (terminal, Markdown, HTML): one definition of columns and formats.</summary>
public static class ModelTable
{
    public sealed record Column(string Header, Func<ModelResult, string> Value);

    public static IReadOnlyList<Column> Columns(EvalReport report)
    {
        var columns = new List<Column>
        {
            new("model", m => m.Name),
            new("role", m => m.Role.ToString().ToLowerInvariant()),
            new("accuracy [95% CI]", ReportText.AccuracyWithInterval),
            new("answered", m => ReportText.Percent(m.AnsweredShare, 0)),
            new("agrees with teacher", m => ReportText.Percent(m.AgreementWithTeacher, 0)),
            new("retention", m => ReportText.Percent(m.Retention, 0)),
            new("params", m => ReportText.Count(m.Params)),
            new("file", m => ReportText.Bytes(m.FileBytes)),
            new("smaller (params / bytes)", m => m.CompressionParams is null ? "–" : $"{ReportText.Times(m.CompressionParams)} / {ReportText.Times(m.CompressionBytes)}"),
            new("prefill tok/s", m => ReportText.Number(m.PrefillTokensPerS, "F0")),
            new("decode tok/s", m => ReportText.Number(m.DecodeTokensPerS, "F0")),
            new("s / question", m => ReportText.Number(m.SecondsPerQuestion, "F2")),
            new("mean tokens", m => ReportText.Number(m.MeanCompletionTokens, "F0")),
        };
        if (report.Samples > 0) columns.Add(new($"self-consistency ({report.Samples})", m => ReportText.Percent(m.SelfConsistencyAccuracy)));
        if (report.Traces is not null)
        {
            columns.Add(new("KL(teacher‖model) nats/token", m => ReportText.Number(m.KlTeacherModel, "F3")));
            columns.Add(new("NLL of teacher tokens", m => ReportText.Number(m.NllTeacherTokens, "F3")));
        }
        return columns;
    }
}
