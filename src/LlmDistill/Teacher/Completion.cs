namespace LlmDistill.Teacher;

/// <summary>
/// One finished completion with the teacher's distribution at every generated token. Per-token arrays have
/// length n = TokenIds.Length; TopIds/TopLogprobs are row-major [n, TopK]. Log-probabilities are
/// log_softmax(raw logits) at temperature 1, before any sampler, whatever temperature was used to sample.
/// </summary>
public sealed record Completion
{
    public required long Index { get; init; }
    public required int PromptTokenCount { get; init; }
    public required string Text { get; init; }
    public required FinishReason FinishReason { get; init; }
    /// <summary>Why the request failed (FinishReason = Error), else null.</summary>
    public string? Error { get; init; }
    /// <summary>Characters replaced by U+FFFD because the tokens' bytes were not valid UTF-8.</summary>
    public int InvalidCharacters { get; init; }
    public required int TopK { get; init; }
    public required int[] TokenIds { get; init; }
    /// <summary>log p(sampled token), [n].</summary>
    public required float[] SampledLogprobs { get; init; }
    /// <summary>[n × TopK], best first per row.</summary>
    public required int[] TopIds { get; init; }
    /// <summary>[n × TopK], descending per row.</summary>
    public required float[] TopLogprobs { get; init; }
    /// <summary>1 − Σ top-k p per token, [n].</summary>
    public required float[] TailMass { get; init; }

    public static Completion Failed(long index, int promptTokens, int topK, string error) => new()
    {
        Index = index, PromptTokenCount = promptTokens, Text = "", FinishReason = FinishReason.Error, Error = error,
        TopK = topK, TokenIds = [], SampledLogprobs = [], TopIds = [], TopLogprobs = [], TailMass = [],
    };
}
