namespace LlmDistill.Training.Data;

/// <summary>
/// One training sequence made from a trace record: the kept prompt tokens then the completion tokens, T + 1 tokens
/// giving T positions. Position t reads <see cref="TokenIds"/>[t] and predicts <see cref="TokenIds"/>[t + 1]; the
/// position predicting completion token j is <see cref="PromptLength"/> − 1 + j, and the teacher's distribution stored
/// for completion token j (the teacher's next-token distribution before it chose token j) belongs to that position.
/// Teacher rows are shared with the record, not copied.
/// </summary>
internal sealed record TraceExample
{
    /// <summary>The trace key, <c>&lt;dataset&gt;/&lt;split&gt;/&lt;example_id&gt;/&lt;sample_index&gt;</c>.</summary>
    public required string Key { get; init; }

    /// <summary>(T + 1) the kept prompt tokens followed by the completion tokens.</summary>
    public required int[] TokenIds { get; init; }

    /// <summary>(T) the <see cref="Losses.SpanKind"/> of each position: 0 when it predicts a prompt token, 1 rationale, 2 answer.</summary>
    public required byte[] SpanKinds { get; init; }

    /// <summary>Prompt tokens kept at the start of <see cref="TokenIds"/> (at least 1).</summary>
    public required int PromptLength { get; init; }

    /// <summary>Prompt tokens dropped from the prompt's start to fit the maximum sequence length.</summary>
    public int DroppedPromptTokens { get; init; }

    /// <summary>Teacher candidates per completion token (k); 0 when the trace carries no distribution.</summary>
    public required int TopK { get; init; }

    /// <summary>(n × K) the teacher's top-k ids per completion token, best first.</summary>
    public required int[] TeacherTopIds { get; init; }

    /// <summary>(n × K) their log-probabilities at temperature 1, nats.</summary>
    public required float[] TeacherTopLogprobs { get; init; }

    /// <summary>(n) 1 − Σ top-k p per completion token.</summary>
    public required float[] TeacherTailMass { get; init; }

    /// <summary>The example's weight in the loss.</summary>
    public float Weight { get; init; } = 1;

    /// <summary>True when the record had an answer but its rationale was not where the extractor puts it; every
    /// completion token is then a rationale token.</summary>
    public bool AnswerBoundaryMissing { get; init; }

    /// <summary>Positions (T): the length of the student's input.</summary>
    public int Length => TokenIds.Length - 1;

    /// <summary>Completion tokens (n), all predicted.</summary>
    public int CompletionLength => TokenIds.Length - PromptLength;

    /// <summary>Positions that carry loss (rationale or answer): <see cref="CompletionLength"/>.</summary>
    public int LossTokens => CompletionLength;

    /// <summary>The completion token that position <paramref name="t"/> predicts, or −1 for a prompt token.</summary>
    public int CompletionIndexAt(int t) => t + 1 - PromptLength is var j && j >= 0 ? j : -1;
}
