namespace LlmDistill.Teacher;

/// <summary>
/// One prompt to complete. <see cref="Index"/> identifies it in the results; <see cref="SamplerStream"/> (default: the
/// index) seeds its sampler, so a caller can keep draws stable across resumed or sharded runs.
/// </summary>
public sealed record GenerationRequest(long Index, int[] PromptTokens, SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> StopStrings)
{
    public long? SamplerStream { get; init; }

    public GenerationRequest(long index, int[] promptTokens, SamplingSettings sampling, int maxTokens)
        : this(index, promptTokens, sampling, maxTokens, []) { }
}
