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

    /// <summary>LaTeX <c>\boxed{...}</c> with nested braces (MATH convention: the last box is the answer).</summary>
    public static AnswerPattern Boxed { get; } = new("boxed", BoxedRegex(), MatchOccurrence.Last);

    /// <summary>"Answer: X", "The (final) answer is X" up to the end of the sentence or line, any case.</summary>
    public static AnswerPattern AnswerPhrase { get; } = new("answer-phrase", AnswerPhraseRegex(), MatchOccurrence.Last);

    /// <summary>The last number anywhere in the text: a guess, flagged as a fallback.</summary>
    public static AnswerPattern LastNumber { get; } = new("last-number", LastNumberRegex(), MatchOccurrence.Last, IsFallback: true);

    public static IReadOnlyList<AnswerPattern> Defaults { get; } = [Gsm8kMarker, Boxed, AnswerPhrase, LastNumber];

    [GeneratedRegex(@"####[ \t]*(?<answer>[^\n]*)", RegexOptions.CultureInvariant)]
    private static partial Regex Gsm8kRegex();

    [GeneratedRegex(@"\\(?:boxed|fbox)\s*\{(?<answer>(?>[^{}]+|\{(?<d>)|\}(?<-d>))*(?(d)(?!)))\}", RegexOptions.CultureInvariant)]
    private static partial Regex BoxedRegex();

    [GeneratedRegex(@"\b(?:final\s+)?answer\s*(?:is\s*:?|:)[\s*_]*(?<answer>[^\n]*?)\s*(?:[.,;](?=\s|$)|$)",
        RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex AnswerPhraseRegex();

    [GeneratedRegex(@"(?<![\d.])(?<answer>-?\d(?:[\d,]*\d)?(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex LastNumberRegex();
}
