using System.Text.RegularExpressions;

namespace LlmDistill.Generation.Datasets;

/// <summary>
/// GSM8K's answer convention: the worked solution, then a final line "#### 42". The text before the last
/// "####" is the rationale, the text after it the answer.
/// </summary>
internal static partial class Gsm8kAnswer
{
    public const string Marker = "####";

    public static bool TrySplit(string answer, out string rationale, out string finalAnswer)
    {
        int at = answer.LastIndexOf(Marker, StringComparison.Ordinal);
        if (at < 0)
        {
            rationale = finalAnswer = "";
            return false;
        }
        rationale = answer[..at].Trim();
        finalAnswer = answer[(at + Marker.Length)..].Trim();
        return true;
    }

    /// <summary>Removes calculator annotations: "48/2 = &lt;&lt;48/2=24&gt;&gt;24" → "48/2 = 24".</summary>
    public static string StripCalculatorAnnotations(string rationale) => CalculatorAnnotation().Replace(rationale, "");

    [GeneratedRegex(@"<<[^<>\n]*>>")]
    private static partial Regex CalculatorAnnotation();
}
