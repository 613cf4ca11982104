using System.Text;
using System.Text.RegularExpressions;

namespace LlmDistill.Answers;

/// <summary>
/// One spelling per answer, so that gold and extracted answers compare as strings and votes group:
/// numbers lose thousands separators, currency, units, "%", a leading "+", trailing fractional zeros and leading
/// integer zeros ("$1,234.00" → "1234", "+7 cm" → "7", "-0.50" → "-0.5"); fractions stay fractions as written
/// ("\frac{3}{6}" → "3/6", compared numerically by <see cref="AnswerComparer"/>); anything else is lower-cased,
/// whitespace-collapsed and stripped of trailing punctuation ("Paris." → "paris").
/// Markdown emphasis, code ticks, quotes, <c>$...$</c>, <c>\(...\)</c>, <c>\text{}</c> and <c>\boxed{}</c> wrappers go first.
/// Idempotent: normalising a normalised answer returns it unchanged.
/// </summary>
internal static partial class AnswerNormalizer
{
    public static string Normalize(string raw)
    {
        string text = raw.Trim();
        string previous;
        do
        {
            previous = text;
            text = Unlatex(StripWrapper(TrimTrailingPunctuation(text))).Trim();
        } while (text != previous);

        return TryCanonicalNumber(text, out string number) ? number : CollapseWhitespace(text).ToLowerInvariant();
    }

    /// <summary>The number in canonical form when the whole answer is a number (with currency/unit decoration).</summary>
    public static bool TryCanonicalNumber(string text, out string canonical)
    {
        canonical = "";
        var match = DecoratedNumber().Match(text);
        if (!match.Success) return false;
        string numerator = CanonicalDecimal(match.Groups["number"].Value);
        bool negative = match.Groups["sign"].Value == "-" && numerator != "0";
        canonical = (negative ? "-" : "") + numerator;
        if (match.Groups["denominator"].Success) canonical += "/" + CanonicalDecimal(match.Groups["denominator"].Value);
        return true;
    }

    // "1,234.500" → "1234.5"; "007" → "7"; ".5" → "0.5".
    static string CanonicalDecimal(string digits)
    {
        var kept = new StringBuilder(digits.Length);
        foreach (char c in digits) if (c is not (',' or ' ' or '\u00A0' or '\u2009' or '\u202F')) kept.Append(c);
        string plain = kept.ToString();
        int dot = plain.IndexOf('.');
        string whole = (dot < 0 ? plain : plain[..dot]).TrimStart('0');
        string fraction = dot < 0 ? "" : plain[(dot + 1)..].TrimEnd('0');
        if (whole.Length == 0) whole = "0";
        return fraction.Length == 0 ? whole : $"{whole}.{fraction}";
    }

    // LaTeX spellings of the same characters: \frac{a}{b} → a/b, \$ → $, \% → %, 1{,}000 → 1,000, thin spaces.
    static string Unlatex(string text)
    {
        if (!text.Contains('\\') && !text.Contains('{') && !text.Contains('\u2212')) return text;
        text = LatexFraction().Replace(text, "${a}/${b}");
        return text.Replace(@"\$", "$").Replace(@"\%", "%").Replace("{,}", ",").Replace(@"\,", "").Replace(@"\!", "")
            .Replace(@"\ ", " ").Replace('\u2212', '-');
    }

    static string StripWrapper(string text)
    {
        foreach (var (open, close) in Wrappers)
            if (text.Length >= open.Length + close.Length && text.StartsWith(open, StringComparison.Ordinal)
                && text.EndsWith(close, StringComparison.Ordinal))
            {
                string inner = text[open.Length..^close.Length];
                // "(1) and (2)" is not one parenthesised answer; "$\$5$" is one math span holding an escaped dollar.
                string bare = inner.Replace(@"\$", "");
                if (!bare.Contains(open, StringComparison.Ordinal) && !bare.Contains(close, StringComparison.Ordinal)) return inner;
            }
        var command = LatexCommandWrapper().Match(text);
        return command.Success ? command.Groups["inner"].Value : text;
    }

    static readonly (string Open, string Close)[] Wrappers =
    [
        ("**", "**"), ("*", "*"), ("__", "__"), ("`", "`"), ("\"", "\""), ("'", "'"), ("$$", "$$"), ("$", "$"),
        (@"\(", @"\)"), (@"\[", @"\]"), ("(", ")"), ("{", "}"),
    ];

    static string TrimTrailingPunctuation(string text) => text.TrimEnd().TrimEnd('.', ',', ';', ':', '!', '?', '。');

    static string CollapseWhitespace(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"\\[dt]?frac\s*\{\s*(?<a>[^{}]+?)\s*\}\s*\{\s*(?<b>[^{}]+?)\s*\}")]
    private static partial Regex LatexFraction();

    [GeneratedRegex(@"^\\(?:boxed|fbox|text|textbf|mathrm|mathbf)\s*\{(?<inner>(?>[^{}]+|\{(?<d>)|\}(?<-d>))*(?(d)(?!)))\}$")]
    private static partial Regex LatexCommandWrapper();

    // Whole text: optional "x =", sign, currency, a number (thousands grouped by commas or spaces, or plain),
    // an optional "/denominator", then an optional unit made of letters and symbols only (no digits).
    [GeneratedRegex("""
        ^(?:[a-z]\s*=\s*)?
        (?<sign>[-+])?\s*
        (?:[$€£¥₹]|usd\b|rs\.?|eur\b)?\s*
        (?<number>\d{1,3}(?:[,\u00A0\u2009\u202F ]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
        (?:\s*/\s*(?<denominator>\d+))?
        (?:\s*(?:%|percent\b|[\p{L}°²³'"/.\s]{1,30}))?$
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex DecoratedNumber();
}
