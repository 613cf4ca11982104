namespace LlmDistill.Training.Data;

/// <summary>
/// Counters of one pass of a <see cref="TraceDataLoader"/> (an epoch, or the part of one read so far). Rows count
/// every row read, including those of skipped batches when resuming. Tokens count real tokens, never padding.
/// </summary>
internal sealed class TraceLoaderStats
{
    public long RowsRead { get; internal set; }
    /// <summary>Rows with keep = false, under <see cref="TraceKeepFilter.RespectKeep"/>.</summary>
    public long SkippedNotKept { get; internal set; }
    /// <summary>Rows of the other side of the evaluation split.</summary>
    public long SkippedOtherSplit { get; internal set; }
    /// <summary>Rows without completion (or prompt) tokens.</summary>
    public long SkippedEmpty { get; internal set; }
    /// <summary>Rows whose completion alone exceeds the maximum sequence length.</summary>
    public long SkippedTooLong { get; internal set; }
    /// <summary>Examples that lost tokens from the start of their prompt to fit.</summary>
    public long TruncatedPrompts { get; internal set; }
    /// <summary>Prompt tokens dropped by truncation, all examples together.</summary>
    public long DroppedPromptTokens { get; internal set; }
    /// <summary>Examples with an answer whose rationale was not found in the completion (all their tokens are rationale).</summary>
    public long AnswerBoundaryMissing { get; internal set; }

    /// <summary>Examples that became part of a batch.</summary>
    public long Examples { get; internal set; }
    public long Batches { get; internal set; }
    /// <summary>Input positions holding a real token (Σ T_i over examples), not padding.</summary>
    public long RealTokens { get; internal set; }
    /// <summary>Positions with a loss (rationale or answer), the completion tokens.</summary>
    public long LossTokens { get; internal set; }
    /// <summary>Padding positions (B · T − real tokens, summed over batches).</summary>
    public long PaddingTokens { get; internal set; }

    public long Skipped => SkippedNotKept + SkippedOtherSplit + SkippedEmpty + SkippedTooLong;

    internal void Skip(TraceSkipReason reason)
    {
        switch (reason)
        {
            case TraceSkipReason.NotKept: SkippedNotKept++; break;
            case TraceSkipReason.OtherSplit: SkippedOtherSplit++; break;
            case TraceSkipReason.Empty: SkippedEmpty++; break;
            case TraceSkipReason.TooLong: SkippedTooLong++; break;
            default: throw new ArgumentOutOfRangeException(nameof(reason), reason, null);
        }
    }

    public override string ToString() =>
        $"{RowsRead} rows → {Examples} examples in {Batches} batches ({RealTokens} real tokens, {LossTokens} with loss, {PaddingTokens} padding); " +
        $"skipped {SkippedNotKept} not kept, {SkippedOtherSplit} other split, {SkippedEmpty} empty, {SkippedTooLong} too long; " +
        $"{TruncatedPrompts} prompts truncated";
}
