namespace LlmDistill.Teacher;

/// <summary>One prompt to complete. <see cref="Index"/> identifies it in the results and seeds its sampler.</summary>
public sealed record GenerationRequest(long Index, int[] PromptTokens, SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> StopStrings)
{
    public GenerationRequest(long index, int[] promptTokens, SamplingSettings sampling, int maxTokens)
        : this(index, promptTokens, sampling, maxTokens, []) { }
}
