using System.ComponentModel;
using LlmDistill.Options;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Training.Losses;
using LlmDistill.Training.OnPolicy;

namespace LlmDistill.Training;

/// <summary>Everything the train stage (<see cref="TrainRun.Run"/>) needs; each default is the one place that default lives.</summary>
public sealed record TrainSettings : IValidatedOptions
{
    public required TraceDataSettings Data { get; init; }

    [OptionName("out", "-o"), PathOption, Description("Run folder: checkpoint/, metrics.jsonl, loss.png, data.json.")]
    public required string OutputFolder { get; init; }

    public StudentOptions Student { get; init; } = new();

    /// <summary>The shape of a randomly initialised student given as a value (instead of <see cref="StudentOptions.Shape"/>).</summary>
    [NotAnOption]
    public StudentShape? Shape { get; init; }

    public TrainerOptions Trainer { get; init; } = new();

    public LoraOptions Lora { get; init; } = new();

    /// <summary>On-policy rounds (off unless <see cref="OnPolicyOptions.Enabled"/>): the student samples, the teacher scores, the student learns.</summary>
    public OnPolicyOptions OnPolicy { get; init; } = new();

    [Description("Continue the checkpoint in the run folder with its saved settings (steps may raise the total).")]
    public bool Resume { get; init; }

    public IEnumerable<OptionError> Validate() => Resume
        ? OptionChecks.Collect([], (nameof(Trainer), Trainer))
        : OptionChecks.Collect(
            [
                Shape is not null && Student.Shape is not null ? new OptionError(nameof(Shape), "and {Student.Shape} both give the shape: give one") : null,
                Lora.Enabled && Student.InitPath is null
                    ? new OptionError("Lora.Rank", "trains adapters on a pretrained base: give the base GGUF with {Student.InitPath}") : null,
                .. OnPolicyErrors(),
            ],
            (nameof(Data), Data), (nameof(Student), Student), (nameof(Trainer), Trainer), (nameof(Lora), Lora), (nameof(OnPolicy), OnPolicy));

    IEnumerable<OptionError?> OnPolicyErrors()
    {
        if (!OnPolicy.Enabled) yield break;
        if (Student.TeacherPath is null)
            yield return new OptionError("Student.TeacherPath", "is needed on-policy: the teacher GGUF scores the student's samples");
        if (Trainer.Epochs is not null)
            yield return new OptionError("Trainer.Epochs", "cannot size an on-policy run, whose data changes every round: give {Trainer.Steps}");
        if (Trainer.Loss.Divergence is not Divergence.Forward)
            yield return new OptionError("Trainer.Loss.Divergence", "is set by {OnPolicy.Divergence} in an on-policy run: give that one");
    }
}

/// <summary>What a <c>train</c> command did: the trainer's summary and the student it trained (all its parameters, and those that trained: fewer with LoRA).</summary>
public sealed record TrainRunSummary(TrainingSummary Training, string Origin, long Parameters, bool Resumed, long TrainableParameters)
{
    /// <summary>The on-policy rounds this call trained (empty off-policy).</summary>
    public IReadOnlyList<OnPolicyRound> Rounds { get; init; } = [];
}
