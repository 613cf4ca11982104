using System.Globalization;
using System.Text;

namespace LlmDistill.Demo;

/// <summary>
/// <c>summary.md</c> beside summary.json: each student's held-out accuracy as mean ± sd over seeds with every seed's
/// value, and the students compared by McNemar's exact test on predictions pooled over seeds. The eval report in
/// <c>report/</c> lists every seed's student as a model of its own.
/// </summary>
public static class DemoSummaryMarkdown
{
    public const string FileName = "summary.md";

    public static void Write(DemoSummary s, string path)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# Demo: recipe {s.Recipe}, {s.Seeds} seed{(s.Seeds == 1 ? "" : "s")}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"{s.HeldoutQuestions} held-out questions; teacher ({s.TeacherRecipe} recipe, {s.TeacherParams / 1e3:F0}k parameters): {100 * s.TeacherAccuracy:F1}%. Wall {s.WallSeconds / 60:F1} min.");
        text.AppendLine();
        text.AppendLine("| student | accuracy (mean ± sd) | per seed | parameters | training s (all seeds) |");
        text.AppendLine("|---|---:|---|---:|---:|");
        foreach (var (name, result) in Students(s))
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {result.MeanAndSd} | {string.Join(", ", result.SeedAccuracies.Select(a => (100 * a).ToString("F1", CultureInfo.InvariantCulture)))} | {result.Params / 1e3:F0}k | {result.TrainingSeconds:F0} |");
        text.AppendLine();
        text.AppendLine("Paired comparisons on predictions pooled over seeds (each question × seed one pair; McNemar's exact test):");
        text.AppendLine();
        text.AppendLine("| A | B | pairs | only A right | only B right | B − A (points) | p |");
        text.AppendLine("|---|---|---:|---:|---:|---:|---:|");
        foreach (var c in s.PooledComparisons)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {c.A} | {c.B} | {c.Questions} | {c.OnlyA} | {c.OnlyB} | {100 * c.AccuracyDifference:+0.0;-0.0;0.0} | {c.PValue:G3} |");
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>The students in the demo's order, (d) and (c′) only when they ran.</summary>
    public static IEnumerable<(string Name, DemoStudentResult Result)> Students(DemoSummary s)
    {
        yield return ("(a) baseline", s.Baseline);
        yield return ("(b) rationale", s.Rationale);
        yield return ("(c) distilled", s.Distilled);
        if (s.Onpolicy is { } onPolicy) yield return ("(d) on-policy", onPolicy);
        if (s.Continued is { } continued) yield return ("(c′) distilled + as many off-policy steps as (d)", continued);
    }
}
