namespace LlmDistill.Training.Losses;

/// <summary>What a position of a <see cref="DistillationBatch"/> is, as stored in its loss mask (a long per position).</summary>
internal static class SpanKind
{
    /// <summary>Prompt or padding: no loss at all.</summary>
    public const long Ignore = 0;

    /// <summary>A rationale (chain-of-thought) token the student should predict.</summary>
    public const long Rationale = 1;

    /// <summary>A final-answer token the student should predict.</summary>
    public const long Answer = 2;
}
