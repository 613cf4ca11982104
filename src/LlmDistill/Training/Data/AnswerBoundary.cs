namespace LlmDistill.Training.Data;

/// <summary>
/// Where a completion's rationale ends and its answer part begins, as a character offset into the completion text.
/// The answer extractor stores the rationale as the text before the answer marker, trimmed
/// (<see cref="Answers.AnswerExtractor"/>), so the rationale sits in the completion right after its leading
/// white space; everything after it (white space, the marker, the answer, a stop string, end of generation) is the
/// answer part. For the last-number fallback the rationale is the whole trimmed text, so only what follows it
/// (end of generation) counts as answer.
/// </summary>
internal static class AnswerBoundary
{
    /// <summary>
    /// The offset just past the rationale of a completion that has an answer; null when the rationale is not found
    /// where the extractor puts it (the record was edited or made another way).
    /// </summary>
    public static int? RationaleEnd(string completionText, string rationale)
    {
        ArgumentNullException.ThrowIfNull(completionText);
        ArgumentNullException.ThrowIfNull(rationale);
        int lead = completionText.Length - completionText.AsSpan().TrimStart().Length;
        return completionText.AsSpan(lead).StartsWith(rationale, StringComparison.Ordinal) ? lead + rationale.Length : null;
    }
}
