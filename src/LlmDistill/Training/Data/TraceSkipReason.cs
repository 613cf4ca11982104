namespace LlmDistill.Training.Data;

/// <summary>Why a trace row did not become a training example.</summary>
internal enum TraceSkipReason
{
    /// <summary>The row's keep flag is false and the loader respects it.</summary>
    NotKept,
    /// <summary>The row belongs to the other side of the evaluation split.</summary>
    OtherSplit,
    /// <summary>The completion has no tokens (a failed generation) or the prompt none to predict the first from.</summary>
    Empty,
    /// <summary>The completion alone does not fit the maximum sequence length.</summary>
    TooLong,
}
