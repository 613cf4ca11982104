namespace LlmDistill.Teacher;

/// <summary>
/// What the generate stage needs from a teacher: complete requests, yielding each completion as it finishes (in any
/// order). <see cref="BatchedGenerator"/> runs a local GGUF; <see cref="RemoteTeacher"/> calls OpenAI-compatible servers.
/// </summary>
public interface ICompletionEngine : IDisposable
{
    /// <summary>Completes every request; sharedPrefix: leading tokens many prompts share (an engine may use it or not).</summary>
    IEnumerable<Completion> Generate(IEnumerable<GenerationRequest> requests, CancellationToken cancel = default, int[]? sharedPrefix = null);

    /// <summary>Counters of the last <see cref="Generate"/> (null before).</summary>
    GenerationStats? LastStats { get; }
}
