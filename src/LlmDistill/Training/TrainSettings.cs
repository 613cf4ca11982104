namespace LlmDistill.Training;

/// <summary>What <c>llmdistill train</c> was asked to do; <see cref="TrainRun.Run"/> does it.</summary>
public sealed record TrainSettings
{
    public required TraceDataSettings Data { get; init; }
    public required string OutputFolder { get; init; }
    public TrainerOptions Options { get; init; } = new();
    /// <summary>Preset name or YAML shape file, for a randomly initialised student.</summary>
    public string? Student { get; init; }
    /// <summary>The shape of a randomly initialised student given as a value (instead of <see cref="Student"/>).</summary>
    public StudentShape? Shape { get; init; }
    /// <summary>The teacher GGUF whose family and vocabulary a random student takes.</summary>
    public string? TeacherPath { get; init; }
    /// <summary>A smaller pretrained GGUF of the teacher's family to start from.</summary>
    public string? InitPath { get; init; }
    /// <summary>The teacher GGUF whose <see cref="Layers"/> the student starts from.</summary>
    public string? InitFromTeacherPath { get; init; }
    public string Layers { get; init; } = "every-other";
    /// <summary>Continue the checkpoint in <see cref="OutputFolder"/> with its saved settings.</summary>
    public bool Resume { get; init; }
    /// <summary>With <see cref="Resume"/>: a new planned step total.</summary>
    public int? ResumeSteps { get; init; }
}

/// <summary>What a <c>train</c> command did: the trainer's summary and the student it trained.</summary>
public sealed record TrainRunSummary(TrainingSummary Training, string Origin, long Parameters, bool Resumed);
