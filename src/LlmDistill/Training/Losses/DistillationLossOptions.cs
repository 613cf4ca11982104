using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Training.Losses;

/// <summary>
/// Settings of L = α·T²·KL + (1 − α)·NLL. Every term is a per-token weighted mean: KL over positions with a teacher
/// distribution, NLL over rationale and answer positions; example weights, span weights and entropy weights enter
/// both the sum and its denominator, so they set relative emphasis, and α alone sets the balance of the two terms.
/// </summary>
[OptionGroup]
public sealed record DistillationLossOptions : IValidatedOptions
{
    [Description("Weight α of the KL term, in [0, 1]; 1 − α goes to the rationale/answer likelihood.")]
    public double Alpha { get; init; } = 0.5;

    [Description("Softening temperature T of the KL term (scaled by T²; the likelihood always uses T = 1).")]
    public double Temperature { get; init; } = 1.0;

    /// <summary>Optional temperature per optimizer step; overrides <see cref="Temperature"/>.</summary>
    [NotAnOption]
    public TemperatureSchedule? TemperatureSchedule { get; init; }

    [Description("forward (KL(teacher‖student), the default), reverse (KL(student‖teacher)), or jsd / jsd:β (generalized JSD, β = 0.5 unless given).")]
    public Divergence Divergence { get; init; } = new Divergence.Forward();

    [Description("Weight of rationale tokens in the likelihood term.")]
    public double RationaleWeight { get; init; } = 1.0;

    [Description("Weight of answer tokens in the likelihood term.")]
    public double AnswerWeight { get; init; } = 1.0;

    /// <summary>Positions whose logits are materialised at once: peak memory is about 4–5 × ChunkSize × V floats (measured 336 MiB at 128 × 150k).</summary>
    [Description("Positions whose vocabulary-wide logits are materialised at once (memory ≈ 4–5 × this × vocabulary floats).")]
    public int ChunkSize { get; init; } = 256;

    /// <summary>Optional down-weighting of KL at positions where the teacher's entropy is high.</summary>
    [NotAnOption]
    public TeacherEntropyWeighting? EntropyWeighting { get; init; }

    /// <summary>The temperature in force at optimizer step <paramref name="step"/>.</summary>
    public double TemperatureAt(long step) => TemperatureSchedule?.At(step) ?? Temperature;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        OptionChecks.Within(nameof(Alpha), Alpha, 0, 1),
        OptionChecks.Positive(nameof(Temperature), Temperature),
        OptionChecks.AtLeast(nameof(RationaleWeight), RationaleWeight, 0),
        OptionChecks.AtLeast(nameof(AnswerWeight), AnswerWeight, 0),
        OptionChecks.Positive(nameof(ChunkSize), ChunkSize),
    ]);
}
