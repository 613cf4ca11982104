using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Answers;

namespace LlmDistill.Evaluation.Statistics;

/// <summary>A two-sided confidence interval for a proportion, both ends in [0, 1].</summary>
public readonly record struct Interval(double Low, double High);

/// <summary>
/// The statistics the evaluation report rests on, as plain functions of counts so tests can check them by hand.
/// </summary>
public static class Metrics
{
    /// <summary>z for a two-sided 95% interval: Φ⁻¹(0.975).</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>
    /// The Wilson score interval for <paramref name="successes"/> out of <paramref name="trials"/>. Unlike the normal
    /// approximation it stays inside [0, 1] and is sensible at 0/n and n/n, which small held-out sets often give.
    /// Null when there are no trials.
    /// </summary>
    public static Interval? WilsonInterval(int successes, int trials, double z = Z95)
    {
        if (trials <= 0) return null;
        if (successes < 0 || successes > trials) throw new ArgumentOutOfRangeException(nameof(successes), successes, $"successes must be in 0..{trials}");
        double n = trials, p = successes / n, z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return new Interval(Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    /// <summary>
    /// McNemar's exact test (two-sided) on paired right/wrong outcomes of two models on the same questions. Only the
    /// discordant questions matter: <paramref name="onlyA"/> where A was right and B wrong, <paramref name="onlyB"/>
    /// the reverse. Under "equally good" each discordant question is a fair coin, so
    /// p = min(1, 2 · P[Binomial(onlyA + onlyB, ½) ≤ min(onlyA, onlyB)]). No discordant pairs: p = 1.
    /// </summary>
    public static double McNemarExact(int onlyA, int onlyB)
    {
        if (onlyA < 0 || onlyB < 0) throw new ArgumentOutOfRangeException(nameof(onlyA), "counts must be non-negative");
        int n = onlyA + onlyB, k = Math.Min(onlyA, onlyB);
        if (n == 0) return 1;
        // Σ_{i ≤ k} C(n, i) / 2ⁿ in log space: 2⁻ⁿ underflows a double beyond about a thousand questions.
        double logHalfPowN = -n * Math.Log(2), logTerm = logHalfPowN, logTail = logHalfPowN; // i = 0: C(n, 0) = 1
        for (int i = 1; i <= k; i++)
        {
            logTerm += Math.Log(n - i + 1) - Math.Log(i);
            logTail = LogAdd(logTail, logTerm);
        }
        return Math.Min(1, 2 * Math.Exp(logTail));
    }

    /// <summary>Share of questions on which two models' answers are equivalent (<see cref="AnswerComparer"/>); a missing answer never agrees. Null for no questions.</summary>
    public static double? Agreement(IReadOnlyList<(string? A, string? B)> answers) =>
        answers.Count == 0 ? null : answers.Count(p => AnswerComparer.Equivalent(p.A, p.B)) / (double)answers.Count;

    /// <summary>Student accuracy as a share of the teacher's (1 = kept everything); null when the teacher scored 0 or either is unknown.</summary>
    public static double? Retention(double? student, double? teacher) =>
        student is double s && teacher is double t && t > 0 ? s / t : null;

    /// <summary>How many times smaller: teacher / student; null when the student's size is unknown or zero.</summary>
    public static double? Compression(long teacher, long student) => student > 0 ? teacher / (double)student : null;

    static double LogAdd(double a, double b)
    {
        double max = Math.Max(a, b);
        return max + Math.Log(Math.Exp(a - max) + Math.Exp(b - max));
    }
}
