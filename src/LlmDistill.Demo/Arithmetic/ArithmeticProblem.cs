using System.Globalization;

namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// One word problem with its gold steps. <see cref="Rationale"/> is the steps as <c>4*7=28. 23+28=51. 51-15=36.</c>;
/// <see cref="GoldAnswer"/> is GSM8K's form, the rationale then <c>\n#### 36</c>, which the dataset reader splits
/// and <c>AnswerExtractor</c> reads.
/// </summary>
internal sealed record ArithmeticProblem(string Id, string Question, IReadOnlyList<ArithmeticStep> Steps)
{
    public int Answer => Steps[^1].Result;

    public string Rationale => string.Join(' ', Steps.Select(s => s + "."));

    public string GoldAnswer => $"{Rationale}\n#### {Answer.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Operations that must happen one after another to reach the answer.</summary>
    public int DependencyDepth => ProblemArithmetic.DependencyDepth(Steps);
}
