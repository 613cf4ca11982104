using LlmDistill.Teacher;

namespace LlmDistill.Traces;

/// <summary>
/// One teacher sample: identity, inputs, output, and the teacher's distribution at every completion token.
/// Per-token arrays have length n = CompletionTokenIds.Length; TopIds/TopLogprobs are row-major [n × TopK], like
/// <see cref="Completion"/>. Log-probabilities are log_softmax(raw logits) at temperature 1, before any sampler.
/// Read back from a trace file, log-probabilities and tail mass carry the quantisation error of
/// <see cref="TopKEncoding"/>; ids and everything else are exact.
/// </summary>
public sealed record TraceRecord
{
    public required string Dataset { get; init; }
    public required string Split { get; init; }
    public required string ExampleId { get; init; }
    /// <summary>Which of the example's samples this is, from 0.</summary>
    public required int SampleIndex { get; init; }
    /// <summary><c>&lt;dataset&gt;/&lt;split&gt;/&lt;example_id&gt;/&lt;sample_index&gt;</c>, see <see cref="TraceKey"/>.</summary>
    public string Key => TraceKey.Format(Dataset, Split, ExampleId, SampleIndex);

    public required string Question { get; init; }
    public string? GoldAnswer { get; init; }
    /// <summary>The prompt as rendered by the template, the text the teacher was given.</summary>
    public required string PromptText { get; init; }
    public required int[] PromptTokenIds { get; init; }

    public required string CompletionText { get; init; }
    public required int[] CompletionTokenIds { get; init; }
    /// <summary>The reasoning extracted from the completion.</summary>
    public required string Rationale { get; init; }
    /// <summary>The answer extracted from the completion; null when none was found.</summary>
    public string? Answer { get; init; }
    public required FinishReason FinishReason { get; init; }
    public string? Error { get; init; }
    /// <summary>Answer matches the gold answer; null when there is no gold answer.</summary>
    public bool? Correct { get; init; }
    /// <summary>The most frequent answer among the example's samples; null when not computed.</summary>
    public string? MajorityAnswer { get; init; }
    public bool? AgreesWithMajority { get; init; }
    /// <summary>Whether the filters keep this sample for training.</summary>
    public bool Keep { get; init; } = true;

    /// <summary>Captured alternatives per completion token (k).</summary>
    public required int TopK { get; init; }
    /// <summary>log p(sampled token), nats, [n].</summary>
    public required float[] SampledLogprobs { get; init; }
    /// <summary>[n × TopK], best first per row.</summary>
    public required int[] TopIds { get; init; }
    /// <summary>[n × TopK] nats, descending per row, each ≤ 0.</summary>
    public required float[] TopLogprobs { get; init; }
    /// <summary>1 − Σ top-k p per token, [n], in [0, 1].</summary>
    public required float[] TailMass { get; init; }

    public int CompletionTokenCount => CompletionTokenIds.Length;

    /// <summary>
    /// A gold trace: text that no teacher wrote (a data set's rationale, an SFT answer), with no teacher distribution
    /// (k = 0). The prompt and completion are tokenized by the vocabulary's managed tokenizer, which gives llama.cpp's
    /// ids, and the completion is closed by <paramref name="endOfText"/>. Answers, gold and votes are the caller's to set.
    /// </summary>
    public static TraceRecord Gold(string dataset, string split, string exampleId, string question, string promptText,
        string completionText, string rationale, Tokenization.VocabularyTokenizer tokenizer, int endOfText)
    {
        int[] completion = [.. tokenizer.Encode(completionText, addSpecial: false), endOfText];
        return new TraceRecord
        {
            Dataset = dataset, Split = split, ExampleId = exampleId, SampleIndex = 0, Question = question,
            PromptText = promptText, PromptTokenIds = tokenizer.Encode(promptText, addSpecial: true),
            CompletionText = completionText, CompletionTokenIds = completion, Rationale = rationale,
            FinishReason = FinishReason.EndOfGeneration, Keep = true,
            TopK = 0, SampledLogprobs = new float[completion.Length], TopIds = [], TopLogprobs = [], TailMass = new float[completion.Length],
        };
    }

    /// <summary>
    /// A record from the generator's output. Rationale defaults to the completion text and the answer-derived fields
    /// to null; set them with <c>with { ... }</c> once extracted.
    /// </summary>
    public static TraceRecord FromCompletion(Completion completion, string dataset, string split, string exampleId,
        int sampleIndex, string question, string? goldAnswer, string promptText, int[] promptTokenIds)
    {
        ArgumentNullException.ThrowIfNull(completion);
        return new TraceRecord
        {
            Dataset = dataset, Split = split, ExampleId = exampleId, SampleIndex = sampleIndex,
            Question = question, GoldAnswer = goldAnswer, PromptText = promptText, PromptTokenIds = promptTokenIds,
            CompletionText = completion.Text, CompletionTokenIds = completion.TokenIds, Rationale = completion.Text,
            FinishReason = completion.FinishReason, Error = completion.Error,
            TopK = completion.TopK, SampledLogprobs = completion.SampledLogprobs, TopIds = completion.TopIds,
            TopLogprobs = completion.TopLogprobs, TailMass = completion.TailMass,
        };
    }

    /// <summary>Throws when the identity is malformed or the per-token arrays disagree in length.</summary>
    public void Validate()
    {
        TraceKey.Validate(Dataset, Split, ExampleId, SampleIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(TopK);
        int n = CompletionTokenIds.Length;
        if (SampledLogprobs.Length != n || TailMass.Length != n)
            throw new ArgumentException($"{Key}: sampled logprobs ({SampledLogprobs.Length}) and tail mass ({TailMass.Length}) must have one entry per completion token ({n})");
        if (TopIds.Length != n * TopK || TopLogprobs.Length != n * TopK)
            throw new ArgumentException($"{Key}: top ids ({TopIds.Length}) and top logprobs ({TopLogprobs.Length}) must have n × k = {n} × {TopK} entries");
    }
}
