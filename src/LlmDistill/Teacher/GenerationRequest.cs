namespace LlmDistill.Teacher;

/// <summary>Receives each generated token of one request as it is chosen (streaming).</summary>
public delegate void TokenObserver(GeneratedToken token);

/// <summary>
/// One generated token as it is streamed. TextDelta: the completion text that became final with this token (empty while
/// a stop string may still be forming; the last token carries the rest). Logprob: the token's log-probability under
/// the model (NaN when the generator does not capture distributions); TopIds/TopLogprobs: the position's top-k.
/// </summary>
public readonly record struct GeneratedToken(long Index, int TokenId, string TextDelta, float Logprob, int[] TopIds, float[] TopLogprobs);

/// <summary>
/// One prompt to complete. <see cref="Index"/> identifies it in the results; <see cref="SamplerStream"/> (default: the
/// index) seeds its sampler, so a caller can keep draws stable across resumed or sharded runs.
/// </summary>
public sealed record GenerationRequest(long Index, int[] PromptTokens, SamplingSettings Sampling, int MaxTokens, IReadOnlyList<string> StopStrings)
{
    public long? SamplerStream { get; init; }

    /// <summary>The caller gave up (a closed connection): the generator frees the sequence before its next decode and
    /// returns it with <see cref="FinishReason.Cancelled"/>.</summary>
    public CancellationToken Cancel { get; init; }

    /// <summary>Called on the generator's thread after each generated token (keep it short; null = nobody streams).</summary>
    public TokenObserver? Observer { get; init; }

    public GenerationRequest(long index, int[] promptTokens, SamplingSettings sampling, int maxTokens)
        : this(index, promptTokens, sampling, maxTokens, []) { }
}
