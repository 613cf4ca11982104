using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// One batch of teacher traces for distillation, as tensors on one device. B examples of T positions,
/// K teacher candidates per position. Position t predicts <see cref="TargetIds"/>[b, t], the token after
/// <see cref="InputIds"/>[b, t]; the teacher fields at t describe the teacher's distribution for that same next token.
/// The data loader fills it; the losses only read it.
/// </summary>
/// <param name="InputIds">(B, T) int64: the tokens the student reads.</param>
/// <param name="TargetIds">(B, T) int64: the next token at each position (any value where <see cref="SpanKinds"/> is <see cref="SpanKind.Ignore"/>).</param>
/// <param name="SpanKinds">(B, T) int64: the loss mask, a <see cref="SpanKind"/> per position (0 prompt/padding, 1 rationale, 2 answer).</param>
/// <param name="TeacherTopKIds">(B, T, K) int64: the teacher's k most likely next tokens (any value where no teacher distribution is present).</param>
/// <param name="TeacherTopKLogprobs">(B, T, K) float: their log-probabilities at temperature 1; −∞ marks an unused slot.</param>
/// <param name="TeacherTailMass">(B, T) float: 1 − Σ top-k p, the teacher's mass outside the top k.</param>
/// <param name="TeacherPresent">(B, T) bool: positions that carry a teacher distribution.</param>
/// <param name="ExampleWeights">(B) float: per-example weights (1 for a plain batch), e.g. larger for traces with a correct answer.</param>
internal sealed record DistillationBatch(
    Tensor InputIds,
    Tensor TargetIds,
    Tensor SpanKinds,
    Tensor TeacherTopKIds,
    Tensor TeacherTopKLogprobs,
    Tensor TeacherTailMass,
    Tensor TeacherPresent,
    Tensor ExampleWeights)
{
    /// <summary>
    /// Divergence only, no likelihood: the batch's completions are the student's own samples (on-policy), whose tokens
    /// are no target to imitate; the teacher's distribution at each of them is (docs/on-policy.md).
    /// </summary>
    public bool DivergenceOnly { get; init; }

    public long BatchSize => InputIds.shape[0];
    public long SequenceLength => InputIds.shape[1];
    public long TopK => TeacherTopKIds.shape[2];

    /// <summary>Throws when the shapes or element types disagree with the layout documented on the record.</summary>
    public void Validate()
    {
        if (InputIds.dim() != 2) throw new ArgumentException($"InputIds must be (B, T), got [{string.Join(", ", InputIds.shape)}]");
        long[] bt = [BatchSize, SequenceLength];
        Expect(nameof(TargetIds), TargetIds, bt, ScalarType.Int64);
        Expect(nameof(SpanKinds), SpanKinds, bt, ScalarType.Int64);
        Expect(nameof(TeacherTailMass), TeacherTailMass, bt, null);
        Expect(nameof(TeacherPresent), TeacherPresent, bt, ScalarType.Bool);
        Expect(nameof(ExampleWeights), ExampleWeights, [BatchSize], null);
        if (TeacherTopKIds.dim() != 3) throw new ArgumentException($"TeacherTopKIds must be (B, T, K), got [{string.Join(", ", TeacherTopKIds.shape)}]");
        long[] btk = [BatchSize, SequenceLength, TopK];
        Expect(nameof(TeacherTopKIds), TeacherTopKIds, btk, ScalarType.Int64);
        Expect(nameof(TeacherTopKLogprobs), TeacherTopKLogprobs, btk, null);
        if (!TeacherTopKLogprobs.is_floating_point() || !TeacherTailMass.is_floating_point() || !ExampleWeights.is_floating_point())
            throw new ArgumentException("teacher log-probabilities, tail mass and example weights must be floating point");
    }

    static void Expect(string name, Tensor tensor, long[] shape, ScalarType? type)
    {
        if (!tensor.shape.SequenceEqual(shape))
            throw new ArgumentException($"{name} must have shape [{string.Join(", ", shape)}], got [{string.Join(", ", tensor.shape)}]");
        if (type is { } t && tensor.dtype != t) throw new ArgumentException($"{name} must be {t}, got {tensor.dtype}");
    }
}
