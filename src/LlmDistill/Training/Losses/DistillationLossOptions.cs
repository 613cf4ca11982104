namespace LlmDistill.Training.Losses;

/// <summary>
/// Settings of L = α·T²·KL + (1 − α)·NLL. Every term is a per-token weighted mean: KL over positions with a teacher
/// distribution, NLL over rationale and answer positions; example weights, span weights and entropy weights enter
/// both the sum and its denominator, so they set relative emphasis, and α alone sets the balance of the two terms.
/// </summary>
public sealed record DistillationLossOptions
{
    /// <summary>Weight of the KL term, in [0, 1]; 1 − α goes to the rationale likelihood.</summary>
    public double Alpha { get; init => field = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Alpha), value, "α must lie in [0, 1]"); } = 0.5;

    /// <summary>Softening temperature T for the KL term (the NLL always uses T = 1). Ignored when <see cref="TemperatureSchedule"/> is set.</summary>
    public double Temperature { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Temperature), value, "temperature must be positive"); } = 1.0;

    /// <summary>Optional temperature per optimizer step; overrides <see cref="Temperature"/>.</summary>
    public TemperatureSchedule? TemperatureSchedule { get; init; }

    public Divergence Divergence { get; init; } = new Divergence.Forward();

    /// <summary>Weight of rationale tokens in the NLL mean.</summary>
    public double RationaleWeight { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(RationaleWeight), value, "weights must be non-negative"); } = 1.0;

    /// <summary>Weight of answer tokens in the NLL mean.</summary>
    public double AnswerWeight { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(AnswerWeight), value, "weights must be non-negative"); } = 1.0;

    /// <summary>Positions whose logits are materialised at once: peak memory is about 4–5 × ChunkSize × V floats (measured 336 MiB at 128 × 150k).</summary>
    public int ChunkSize { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(ChunkSize), value, "chunk size must be positive"); } = 256;

    /// <summary>Optional down-weighting of KL at positions where the teacher's entropy is high.</summary>
    public TeacherEntropyWeighting? EntropyWeighting { get; init; }

    /// <summary>The temperature in force at optimizer step <paramref name="step"/>.</summary>
    public double TemperatureAt(long step) => TemperatureSchedule?.At(step) ?? Temperature;
}
