namespace LlmDistill.Answers;

/// <summary>
/// Finds the final answer in a completion by trying patterns in order (default: "#### X", <c>\boxed{X}</c>,
/// "Answer: X" / "The answer is X", then the last number as a flagged fallback). A match whose answer normalises
/// to nothing ("#### " alone) does not count. Thread-safe: patterns are immutable compiled regexes.
/// </summary>
public sealed class AnswerExtractor(IReadOnlyList<AnswerPattern> patterns)
{
    /// <summary>
    /// Longest answer taken, in characters: longer is a passage, not an answer. Also bounds normalising, which peels
    /// one wrapper per round (30 kB of nested <c>\text{</c> took 8 s before).
    /// </summary>
    internal const int MaxAnswerLength = 1000;

    public AnswerExtractor() : this(AnswerPattern.Defaults) { }

    public static AnswerExtractor Default { get; } = new();

    public IReadOnlyList<AnswerPattern> Patterns { get; } = patterns;

    public ExtractedAnswer Extract(string completion)
    {
        foreach (var pattern in Patterns)
        {
            var matches = pattern.Regex.Matches(completion);
            for (int k = 0; k < matches.Count; k++)
            {
                var match = matches[pattern.Occurrence == MatchOccurrence.First ? k : matches.Count - 1 - k];
                string raw = match.Groups[AnswerPattern.AnswerGroup].Value.Trim();
                if (raw.Length > MaxAnswerLength) continue;
                string answer = AnswerNormalizer.Normalize(raw);
                if (answer.Length == 0) continue;
                string rationale = pattern.IsFallback ? completion.Trim() : completion[..match.Index].Trim();
                return new ExtractedAnswer(answer, rationale, pattern.Name, raw, pattern.IsFallback);
            }
        }
        return ExtractedAnswer.None(completion);
    }
}
