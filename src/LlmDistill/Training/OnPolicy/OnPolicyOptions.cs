using System.ComponentModel;
using LlmDistill.Export;
using LlmDistill.Options;
using LlmDistill.Teacher;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training.OnPolicy;

/// <summary>
/// On-policy distillation (GKD, Agarwal et al. 2024): rounds of export the student to GGUF → sample its own completions
/// in llama.cpp → the teacher GGUF scores every sampled token → train on the divergence, mixing on-policy batches and
/// teacher-trace batches by <see cref="Lambda"/>. The trainer's steps are spread evenly over the rounds, inside one
/// learning-rate schedule. The math and which top-k ids each divergence uses: docs/on-policy.md.
/// </summary>
[OptionGroup]
public sealed record OnPolicyOptions : IValidatedOptions
{
    [OptionName("on-policy"), Description("Distil on-policy: rounds of sampling the student, scoring its samples with the teacher and training on them.")]
    public bool Enabled { get; init; }

    [Description("On-policy rounds; the training steps are split evenly between them.")]
    public int Rounds { get; init; } = 4;

    [Description("Prompts of the training traces the student answers in each round (a fresh seeded choice per round; 0 = all).")]
    public int PromptsPerRound { get; init; } = 256;

    [Description("Completions the student samples per prompt in each round.")]
    public int SamplesPerPrompt { get; init; } = 1;

    [OptionName("on-policy-divergence"), Description("Divergence of the on-policy run, on both kinds of batches: reverse (KL(student‖teacher), the default), forward, or jsd / jsd:β.")]
    public Divergence Divergence { get; init; } = new Divergence.Reverse();

    [Description("Fraction of micro-batches drawn from the student's scored samples; the rest come from the teacher's traces (GKD's λ).")]
    public double Lambda { get; init; } = 0.5;

    [OptionName("on-policy-temperature"), Description("Temperature at which the student samples its completions (1 = its own distribution).")]
    public float Temperature { get; init; } = 1f;

    [OptionName("on-policy-max-tokens"), Description("Most tokens per sampled completion.")]
    public int MaxTokens { get; init; } = 256;

    [OptionName("on-policy-top-k"), Description("Ids per sampled token at which the teacher's and student's probabilities are compared (the coarsened support).")]
    public int TopK { get; init; } = 20;

    [OptionName("on-policy-export"), Description("Weights type of the student GGUF that samples each round: f32 or f16.")]
    public ExportType ExportType { get; init; } = ExportType.F32;

    /// <summary>How llama.cpp runs the student (sampling) and the teacher (scoring).</summary>
    public EngineOptions Engine { get; init; } = new() { ContextPerSequence = 1024 };

    /// <summary>True when the teacher is read at the student's top-k ids (reverse KL, JSD), false at its own (forward KL).</summary>
    public bool TeacherAtStudentTopK => Divergence is not Divergence.Forward;

    /// <summary>Optimizer steps after which round <paramref name="round"/> (0-based) ends, of <paramref name="totalSteps"/>.</summary>
    public long RoundEnd(int round, long totalSteps) => Math.Min(totalSteps, (round + 1) * StepsPerRound(totalSteps));

    /// <summary>Steps of every round but a shorter last one.</summary>
    public long StepsPerRound(long totalSteps) => (totalSteps + Rounds - 1) / Rounds;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        OptionChecks.Positive(nameof(Rounds), Rounds),
        OptionChecks.AtLeast(nameof(PromptsPerRound), PromptsPerRound, 0),
        OptionChecks.Positive(nameof(SamplesPerPrompt), SamplesPerPrompt),
        OptionChecks.Within(nameof(Lambda), Lambda, 0, 1),
        OptionChecks.Positive(nameof(Temperature), Temperature),
        OptionChecks.Positive(nameof(MaxTokens), MaxTokens),
        OptionChecks.Positive(nameof(TopK), TopK),
        ExportType is ExportType.F32 or ExportType.F16 ? null : new OptionError(nameof(ExportType), $"is {ExportTypes.Name(ExportType)}: the sampling student is exported as f32 or f16"),
    ], (nameof(Engine), Engine));
}
