using System.ComponentModel;
using LlmDistill.Options;
using LlmDistill.Student;
using LlmDistill.Student.Lora;

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

    [Description("Continue the checkpoint in the run folder with its saved settings (steps may raise the total).")]
    public bool Resume { get; init; }

    public IEnumerable<OptionError> Validate() => Resume
        ? OptionChecks.Collect([], (nameof(Trainer), Trainer))
        : OptionChecks.Collect(
            [
                Shape is not null && Student.Shape is not null ? new OptionError(nameof(Shape), "and {Student.Shape} both give the shape: give one") : null,
                Lora.Enabled && Student.InitPath is null
                    ? new OptionError("Lora.Rank", "trains adapters on a pretrained base: give the base GGUF with {Student.InitPath}") : null,
            ],
            (nameof(Data), Data), (nameof(Student), Student), (nameof(Trainer), Trainer), (nameof(Lora), Lora));
}

/// <summary>What a <c>train</c> command did: the trainer's summary and the student it trained (all its parameters, and those that trained: fewer with LoRA).</summary>
public sealed record TrainRunSummary(TrainingSummary Training, string Origin, long Parameters, bool Resumed, long TrainableParameters);
