using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Net;
using System.Text;

namespace LlmDistill.Evaluation.Reports;

/// <summary>
/// <c>report.html</c>: one self-contained page (styles inline, charts as base64 PNGs) that answers "how much of the
/// teacher did my student keep, at what size and speed?" at the top, then shows the evidence: the model table, the
/// charts, paired comparisons, and every question where a student and the teacher disagree, with both rationales.
/// Written as well-formed XHTML-compatible markup (every element closed, no named entities), so XML tools read it too.
/// </summary>
internal static class HtmlReport
{
    const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1400px; padding: 0 1rem; color: #222; }
        h1 { margin-bottom: 0.2rem; } .meta { color: #666; margin-top: 0; }
        .cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.5rem 0; }
        .card { border: 1px solid #ddd; border-radius: 8px; padding: 1rem 1.2rem; flex: 1 1 320px; background: #fafafa; }
        .card h3 { margin: 0 0 0.4rem 0; } .big { font-size: 2.4rem; font-weight: 700; margin: 0; }
        .card .facts { display: flex; gap: 1.5rem; margin: 0.5rem 0; } .facts div { font-size: 0.9rem; color: #555; }
        .facts b { display: block; font-size: 1.3rem; color: #222; }
        table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; } .wide { overflow-x: auto; }
        th, td { border: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; } td.num { text-align: right; white-space: nowrap; }
        .charts { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; } figcaption { color: #555; font-size: 0.9rem; }
        figure img { max-width: 100%; border: 1px solid #eee; }
        pre { white-space: pre-wrap; margin: 0; font-size: 0.85rem; max-height: 16rem; overflow: auto; }
        .right { color: #1a7f37; font-weight: 600; } .wrong { color: #cf222e; font-weight: 600; }
        """;

    public static string Render(EvalReport report, IReadOnlyList<Prediction> predictions, IReadOnlyList<ReportChart> charts)
    {
        var teacher = report.Models.First(m => m.Name == report.Teacher);
        var students = report.Models.Where(m => m.Role == ModelRole.Student).ToArray();
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\">").AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\" />");
        html.AppendLine($"<title>{E($"Distillation report: {string.Join(", ", students.Select(s => s.Name))} vs {teacher.Name}")}</title>");
        html.AppendLine($"<style>{Style}</style>").AppendLine("</head>").AppendLine("<body>");
        html.AppendLine("<h1>How much of the teacher did the students keep?</h1>");
        html.AppendLine($"<p class=\"meta\">{E(Meta(report, teacher))}</p>");

        html.AppendLine("<section class=\"cards\">");
        foreach (var student in students) Card(html, student, teacher);
        html.AppendLine("</section>");

        var columns = ModelTable.Columns(report);
        html.AppendLine("<h2>Models</h2>").AppendLine("<div class=\"wide\"><table>");
        html.AppendLine("<tr>" + string.Concat(columns.Select(c => $"<th>{E(c.Header)}</th>")) + "</tr>");
        foreach (var model in report.Models)
            html.AppendLine("<tr>" + string.Concat(columns.Select((c, i) => i < 2 ? $"<td>{E(c.Value(model))}</td>" : $"<td class=\"num\">{E(c.Value(model))}</td>")) + "</tr>");
        html.AppendLine("</table></div>");

        if (charts.Count > 0)
        {
            html.AppendLine("<h2>Charts</h2>").AppendLine("<div class=\"charts\">");
            foreach (var chart in charts)
                html.AppendLine($"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(chart.Png)}\" alt=\"{E(chart.Title)}\" width=\"800\" /><figcaption>{E(chart.Title)}: {E(chart.Description)}</figcaption></figure>");
            html.AppendLine("</div>");
        }

        if (report.Comparisons.Count > 0)
        {
            html.AppendLine("<h2>Paired comparisons</h2>");
            html.AppendLine("<p>McNemar's exact test on the questions both models answered: only the questions one got right and the other wrong count. A small p says the difference is unlikely to be luck.</p>");
            html.AppendLine("<table><tr><th>A</th><th>B</th><th>questions</th><th>both right</th><th>only A right</th><th>only B right</th><th>both wrong</th><th>B − A</th><th>p</th></tr>");
            foreach (var c in report.Comparisons)
                html.AppendLine($"<tr><td>{E(c.A)}</td><td>{E(c.B)}</td><td class=\"num\">{c.Questions}</td><td class=\"num\">{c.BothCorrect}</td><td class=\"num\">{c.OnlyA}</td><td class=\"num\">{c.OnlyB}</td><td class=\"num\">{c.BothWrong}</td><td class=\"num\">{E(ReportText.Percent(c.AccuracyDifference))}</td><td class=\"num\">{E(ReportText.PValue(c.PValue))}</td></tr>");
            html.AppendLine("</table>");
        }

        var byModel = predictions.ToLookup(p => p.Model);
        foreach (var student in students)
            Disagreements(html, teacher, student, Disagreement.Find(byModel[teacher.Name], byModel[student.Name]));
        html.AppendLine("</body>").AppendLine("</html>");
        return html.ToString();
    }

    static string Meta(EvalReport report, ModelResult teacher) =>
        $"{report.Dataset}: {teacher.Questions} questions ({teacher.QuestionsWithGold} with gold answers), prompt template {report.PromptTemplate}" +
        (report.Raw ? " without chat templates" : " in each model's chat template") + $", greedy, at most {report.MaxTokens} tokens" +
        (report.Samples > 0 ? $", plus {report.Samples} samples at temperature {report.SampleTemperature} for self-consistency" : "") +
        (report.Traces is { } t ? $"; KL and NLL over {t.Records} held-out teacher traces ({t.Tokens} tokens)" : "") +
        $". Teacher: {teacher.Name}. Created {report.CreatedUtc:yyyy-MM-dd HH:mm} UTC by llmdistill {report.ToolVersion}.";

    static void Card(StringBuilder html, ModelResult student, ModelResult teacher)
    {
        html.AppendLine("<div class=\"card\">");
        html.AppendLine($"<h3>{E(student.Name)}</h3>");
        html.AppendLine(student.Retention is double r
            ? $"<p class=\"big\">{E(ReportText.Percent(r, 0))}</p><p>of the teacher's accuracy kept</p>"
            : $"<p class=\"big\">{E(ReportText.Percent(student.Accuracy, 0))}</p><p>accuracy</p>");
        string speed = student.DecodeTokensPerS is double s && teacher.DecodeTokensPerS is double t && t > 0 ? ReportText.Times(s / t) : "–";
        html.AppendLine("<div class=\"facts\">" +
            $"<div><b>{E(ReportText.Times(student.CompressionParams))}</b>smaller</div>" +
            $"<div><b>{E(speed)}</b>decode speed</div>" +
            $"<div><b>{E(ReportText.Percent(student.AgreementWithTeacher, 0))}</b>same answer as teacher</div></div>");
        html.AppendLine($"<p>{E(ReportText.Headline(student, teacher))}</p>");
        html.AppendLine("</div>");
    }

    static void Disagreements(StringBuilder html, ModelResult teacher, ModelResult student, IReadOnlyList<Disagreement> disagreements)
    {
        html.AppendLine($"<h2>Where {E(student.Name)} and {E(teacher.Name)} disagree ({disagreements.Count} of {student.Questions} questions)</h2>");
        if (disagreements.Count == 0) { html.AppendLine("<p>They give equivalent answers to every question.</p>"); return; }
        html.AppendLine($"<table><tr><th>question</th><th>gold</th><th>{E(teacher.Name)} (teacher)</th><th>{E(student.Name)}</th></tr>");
        foreach (var d in disagreements)
            html.AppendLine($"<tr><td>{E(d.Teacher.Question)}</td><td>{E(d.Teacher.GoldAnswer ?? "–")}</td><td>{Answer(d.Teacher)}</td><td>{Answer(d.Student)}</td></tr>");
        html.AppendLine("</table>");
    }

    static string Answer(Prediction p)
    {
        string verdict = p.Correct switch { true => "right", false => "wrong", null => "" };
        string answer = $"<span class=\"{verdict}\">{E(p.Answer ?? "no answer")}</span>";
        return $"{answer}<pre>{E(p.Rationale)}</pre>";
    }

    /// <summary>HTML-escapes text; the encoder writes only XML's own entities and numeric references.</summary>
    static string E(string text) => WebUtility.HtmlEncode(text);
}
