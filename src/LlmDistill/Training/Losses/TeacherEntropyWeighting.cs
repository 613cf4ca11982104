namespace LlmDistill.Training.Losses;

/// <summary>
/// Down-weights the KL term at positions where the teacher is unsure: weight = exp(−H / <paramref name="ScaleNats"/>),
/// with H the entropy (nats) of the teacher's coarsened distribution (top-k plus tail bucket, temperature 1).
/// A confident position (H ≈ 0) keeps weight 1; at H = ScaleNats the weight is 1/e. Since the KL term is a weighted
/// mean, this shifts emphasis between positions rather than shrinking the term as a whole.
/// </summary>
public sealed record TeacherEntropyWeighting(double ScaleNats)
{
    public double ScaleNats { get; } = ScaleNats > 0 ? ScaleNats : throw new ArgumentOutOfRangeException(nameof(ScaleNats), ScaleNats, "the entropy scale must be positive");
}
