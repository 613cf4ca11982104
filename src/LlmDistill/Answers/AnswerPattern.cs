using System.Text.RegularExpressions;

namespace LlmDistill.Answers;

/// <summary>Which match of a pattern counts when a completion has several.</summary>
public enum MatchOccurrence { First, Last }

/// <summary>
/// A way a completion states its answer: a regex whose group "answer" holds it. The rationale is the text before
/// the match, except for a fallback pattern (no answer marker, e.g. "last number"), whose rationale is the whole text.
/// </summary>
public sealed partial record AnswerPattern(string Name, Regex Regex, MatchOccurrence Occurrence, bool IsFallback = false)
{
    public const string AnswerGroup = "answer";

    public static AnswerPattern Create(string name, string regex, MatchOccurrence occurrence = MatchOccurrence.Last, bool isFallback = false)
    {
        var compiled = new Regex(regex, RegexOptions.CultureInvariant | RegexOptions.Multiline);
        if (!compiled.GetGroupNames().Contains(AnswerGroup))
            throw new ArgumentException($"answer pattern '{name}' needs a named group (?<{AnswerGroup}>...): {regex}", nameof(regex));
        return new AnswerPattern(name, compiled, occurrence, isFallback);
    }

    /// <summary>GSM8K's "#### 42"; the first one, since a model that runs on may start another worked example.</summary>
    public static AnswerPattern Gsm8kMarker { get; } = new("gsm8k", Gsm8kRegex(), MatchOccurrence.First);

    /// <summary>
    /// LaTeX <c>\boxed{...}</c> with nested braces (MATH convention: the last box is the answer). The content may hold
    /// at most 64 parts (text runs and braces; <c>\boxed{\frac{1}{2}}</c> has 7): each opening scans no further, so n
    /// unclosed boxes cost O(n), not the O(n²) of an unbounded scan from every opening (28 kB of them took 4.8 s before).
    /// </summary>
    public static AnswerPattern Boxed { get; } = new("boxed", BoxedRegex(), MatchOccurrence.Last);

    /// <summary>
    /// "Answer: X", "The (final) answer is X" up to the end of the sentence ([.,;] before a space or the line's end) or
    /// line, any case. The answer is one greedy run of characters that cannot end it, so matching is linear: a lazy
    /// answer followed by <c>\s*</c> rescanned every run of spaces once per character (quadratic).
    /// </summary>
    public static AnswerPattern AnswerPhrase { get; } = new("answer-phrase", AnswerPhraseRegex(), MatchOccurrence.Last);

    /// <summary>The last number anywhere in the text: a guess, flagged as a fallback.</summary>
    public static AnswerPattern LastNumber { get; } = new("last-number", LastNumberRegex(), MatchOccurrence.Last, IsFallback: true);

    public static IReadOnlyList<AnswerPattern> Defaults { get; } = [Gsm8kMarker, Boxed, AnswerPhrase, LastNumber];

    [GeneratedRegex(@"####[ \t]*(?<answer>[^\n]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Gsm8kRegex();

    [GeneratedRegex(@"\\(?:boxed|fbox)\s*\{(?<answer>(?>[^{}]+|\{(?<d>)|\}(?<-d>)){0,64}(?(d)(?!)))\}", RegexOptions.CultureInvariant)]
    private static partial Regex BoxedRegex();

    [GeneratedRegex(@"\b(?:final\s+)?answer\s*(?:is\s*:?|:)[\s*_]*(?<answer>(?:[^\n.,;]|[.,;](?!\s|$))*)",
        RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerPhraseRegex();

    [GeneratedRegex(@"(?<![\d.])(?<answer>-?\d(?:[\d,]*\d)?(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex LastNumberRegex();
}
