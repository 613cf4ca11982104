namespace LlmDistill.Teacher;

/// <summary>Why a completion ended. Stored in traces as lower-case text: eog, stop, length, error (cancelled ones are never stored).</summary>
public enum FinishReason
{
    /// <summary>The model produced an end-of-generation token (EOS/EOT); that token is recorded.</summary>
    EndOfGeneration,
    /// <summary>The text reached one of the stop strings; the text is cut before it, the tokens that formed it are kept.</summary>
    Stop,
    /// <summary>Max tokens reached, or the sequence's context is full.</summary>
    Length,
    /// <summary>The request could not run (e.g. its prompt is longer than the context); see the error text.</summary>
    Error,
    /// <summary>The caller cancelled the request (<see cref="GenerationRequest.Cancel"/>) before it finished.</summary>
    Cancelled,
}

public static class FinishReasonNames
{
    public static string ToName(this FinishReason reason) => reason switch
    {
        FinishReason.EndOfGeneration => "eog",
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Cancelled => "cancelled",
        _ => "error",
    };
}
