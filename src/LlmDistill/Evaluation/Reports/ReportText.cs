using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Globalization;

namespace LlmDistill.Evaluation.Reports;

/// <summary>Numbers as the reports print them, and the one-sentence answer per student shared by terminal, Markdown and HTML.</summary>
public static class ReportText
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static string Percent(double? value, int decimals = 1) =>
        value is double v ? (v * 100).ToString($"F{decimals}", Invariant) + "%" : "–";

    public static string Number(double? value, string format = "F1") => value is double v ? v.ToString(format, Invariant) : "–";

    /// <summary>Accuracy with its interval: "62.0% [51.3–71.7]".</summary>
    public static string AccuracyWithInterval(ModelResult m) =>
        m.Accuracy is null ? "no gold" : $"{Percent(m.Accuracy)} [{Number(m.CiLow * 100)}–{Number(m.CiHigh * 100)}]";

    /// <summary>1 234 567 → "1.2M".</summary>
    public static string Count(double value) => value switch
    {
        >= 1e9 => (value / 1e9).ToString("0.##", Invariant) + "B",
        >= 1e6 => (value / 1e6).ToString("0.##", Invariant) + "M",
        >= 1e3 => (value / 1e3).ToString("0.##", Invariant) + "K",
        _ => value.ToString("0", Invariant),
    };

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.##", Invariant) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.##", Invariant) + " MiB",
        >= 1L << 10 => (bytes / (double)(1L << 10)).ToString("0.##", Invariant) + " KiB",
        _ => bytes.ToString(Invariant) + " B",
    };

    public static string Times(double? ratio) => ratio is double r ? r.ToString(r >= 10 ? "F0" : "F1", Invariant) + "×" : "–";

    /// <summary>"p = 0.031" or "p &lt; 0.001".</summary>
    public static string PValue(double p) => p < 0.001 ? "p < 0.001" : "p = " + p.ToString("0.###", Invariant);

    /// <summary>The answer to "how much of the teacher did this student keep, at what size and speed?" in one sentence.</summary>
    public static string Headline(ModelResult student, ModelResult teacher)
    {
        string kept = student.Retention is double r
            ? $"kept {Percent(r, 0)} of the teacher's accuracy ({Percent(student.Accuracy)} vs {Percent(teacher.Accuracy)})"
            : $"scored {AccuracyWithInterval(student)} (the teacher {AccuracyWithInterval(teacher)})";
        string size = student.CompressionParams is double c
            ? $"with {Times(c)} fewer parameters ({Count(student.Params)} vs {Count(teacher.Params)}; file {Bytes(student.FileBytes)} vs {Bytes(teacher.FileBytes)})"
            : $"with {Count(student.Params)} parameters";
        string speed = student.DecodeTokensPerS is double s && teacher.DecodeTokensPerS is double t && t > 0
            ? $", decoding {Times(s / t)} as fast ({Number(s, "F0")} vs {Number(t, "F0")} tokens/s)"
            : "";
        string agreement = student.AgreementWithTeacher is double a ? $"; it gives the teacher's answer on {Percent(a, 0)} of questions" : "";
        return $"{student.Name} {kept} {size}{speed}{agreement}.";
    }
}
