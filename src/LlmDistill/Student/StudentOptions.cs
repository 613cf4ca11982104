using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Student;

/// <summary>
/// How a student starts: random weights in a shape (<see cref="Shape"/>, in the family and vocabulary of
/// <see cref="TeacherPath"/>), a smaller pretrained GGUF (<see cref="InitPath"/>), or chosen blocks of the teacher
/// (<see cref="InitFromTeacherPath"/>, <see cref="Layers"/>).
/// </summary>
[OptionGroup]
public sealed record StudentOptions : IValidatedOptions
{
    [OptionName("student"), PathOption(mayBeName: true), Description("Shape of the student: tiny, 10m, 60m (parameters outside the embedding, in the teacher's family), a real model's shape in its own family (qwen3-0.6b, smollm2-135m, llama3.2-1b, gemma3-270m) or a YAML shape file. A random student takes the teacher's vocabulary; a start from init must have this shape. Default: the largest size preset with at most a fifth of the teacher's parameters that fits this machine's memory.")]
    public string? Shape { get; init; }

    [OptionName("teacher", "-t"), PathOption, Description("The teacher GGUF that wrote the traces: a random student takes its vocabulary and family.")]
    public string? TeacherPath { get; init; }

    [OptionName("init"), PathOption, Description("Start from a smaller pretrained GGUF of the teacher's family (same tokenizer).")]
    public string? InitPath { get; init; }

    [OptionName("init-from-teacher"), PathOption, Description("Start from chosen blocks of this teacher GGUF (see layers).")]
    public string? InitFromTeacherPath { get; init; }

    [Description("Teacher blocks to start from with init-from-teacher: every-other, all, or indices like 0,2,4,6.")]
    public LayerSelection Layers { get; init; } = LayerSelection.EveryOther;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        OptionChecks.FileExists(nameof(TeacherPath), TeacherPath),
        OptionChecks.FileExists(nameof(InitPath), InitPath),
        OptionChecks.FileExists(nameof(InitFromTeacherPath), InitFromTeacherPath),
        InitPath is not null && InitFromTeacherPath is not null ? new OptionError(nameof(InitPath), "and {InitFromTeacherPath} are two starts: give one") : null,
        Shape is not null && InitFromTeacherPath is not null
            ? new OptionError(nameof(Shape), "sets the shape of a random student or checks the file of {InitPath}; a student made of teacher blocks takes the teacher's shape, so leave it out") : null,
        TeacherPath is null && InitPath is null && InitFromTeacherPath is null
            ? new OptionError(nameof(TeacherPath), "is needed: a random student takes the teacher's vocabulary and family (or start from a file with {InitPath} or {InitFromTeacherPath})") : null,
    ]);
}
