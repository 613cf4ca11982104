using System.Globalization;

namespace LlmDistill.Answers;

/// <summary>
/// Whether two answers say the same thing: both are normalised (<see cref="AnswerNormalizer"/>); when both are
/// numbers or fractions they compare by value (exact decimal arithmetic: "0.5" ≡ "1/2" ≡ "2/4", "0.333" ≢ "1/3"),
/// otherwise as strings. A missing answer is never equivalent to anything, another missing answer included.
/// </summary>
public static class AnswerComparer
{
    public static bool Equivalent(string? a, string? b)
    {
        if (a is null || b is null) return false;
        string x = AnswerNormalizer.Normalize(a), y = AnswerNormalizer.Normalize(b);
        if (x == y) return true;
        if (!TryRational(x, out decimal xn, out decimal xd) || !TryRational(y, out decimal yn, out decimal yd)) return false;
        try { return xn * yd == yn * xd; }
        catch (OverflowException) { return false; }
    }

    /// <summary>Numerator and denominator of a normalised number ("-3/4", "2.5"); false for non-numbers.</summary>
    public static bool TryRational(string normalised, out decimal numerator, out decimal denominator)
    {
        denominator = 1;
        int slash = normalised.IndexOf('/');
        string top = slash < 0 ? normalised : normalised[..slash];
        if (!decimal.TryParse(top, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out numerator))
            return false;
        if (slash < 0) return true;
        return decimal.TryParse(normalised[(slash + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out denominator)
            && denominator != 0;
    }
}
