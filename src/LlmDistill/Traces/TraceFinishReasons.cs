using LlmDistill.Teacher;

namespace LlmDistill.Traces;

/// <summary>The finish_reason column's text (eog, stop, length, error) back to <see cref="FinishReason"/>.</summary>
internal static class TraceFinishReasons
{
    public static FinishReason Parse(string name) => name switch
    {
        "eog" => FinishReason.EndOfGeneration,
        "stop" => FinishReason.Stop,
        "length" => FinishReason.Length,
        "error" => FinishReason.Error,
        _ => throw new FormatException($"unknown finish reason '{name}' (expected eog, stop, length or error)"),
    };
}
