namespace LlmDistill.Answers;

/// <summary>
/// What a completion answered. <see cref="Answer"/> is normalised (null when no pattern found one);
/// <see cref="RawAnswer"/> is the text as written; <see cref="Rationale"/> is the trimmed text before the answer
/// marker; <see cref="Pattern"/> names the <see cref="AnswerPattern"/> that matched.
/// </summary>
public sealed record ExtractedAnswer(string? Answer, string Rationale, string? Pattern, string? RawAnswer = null, bool IsFallback = false)
{
    public static ExtractedAnswer None(string completion) => new(null, completion.Trim(), null);
}
