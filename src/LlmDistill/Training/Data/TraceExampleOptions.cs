namespace LlmDistill.Training.Data;

/// <summary>How a trace record becomes a <see cref="TraceExample"/>.</summary>
internal sealed record TraceExampleOptions
{
    /// <summary>Most positions (T) in one sequence, the student's context; longer prompts lose tokens from their start.</summary>
    public int MaxSequenceLength { get; init; } = 2048;

    /// <summary>Weight of an example whose answer matched the gold answer (Correct = true); every other example weighs 1.</summary>
    public float CorrectWeight { get; init; } = 1;

    public TraceExampleOptions Validate()
    {
        if (MaxSequenceLength < 1) throw new ArgumentOutOfRangeException(nameof(MaxSequenceLength), MaxSequenceLength, "the maximum sequence length must be at least 1");
        if (!float.IsFinite(CorrectWeight) || CorrectWeight < 0)
            throw new ArgumentOutOfRangeException(nameof(CorrectWeight), CorrectWeight, "the weight of correct traces must be finite and ≥ 0");
        return this;
    }
}
