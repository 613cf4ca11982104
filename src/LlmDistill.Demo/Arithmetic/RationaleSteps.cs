using System.Globalization;
using System.Text.RegularExpressions;

namespace LlmDistill.Demo.Arithmetic;

/// <summary>Reads the operations <c>a op b=c</c> out of a written rationale, in order; other text is ignored.</summary>
internal static partial class RationaleSteps
{
    /// <summary>The steps as written (results not checked); null when a number does not fit in an int.</summary>
    public static List<ArithmeticStep>? Parse(string rationale)
    {
        var steps = new List<ArithmeticStep>();
        foreach (Match m in StepRegex().Matches(rationale))
        {
            if (!TryInt(m, "left", out int left) || !TryInt(m, "right", out int right) || !TryInt(m, "result", out int result))
                return null;
            steps.Add(new ArithmeticStep(left, m.Groups["op"].Value[0], right, result));
        }
        return steps;
    }

    static bool TryInt(Match m, string group, out int value) =>
        int.TryParse(m.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    [GeneratedRegex(@"(?<left>\d+)\s*(?<op>[-+*/])\s*(?<right>\d+)\s*=\s*(?<result>\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex StepRegex();
}
