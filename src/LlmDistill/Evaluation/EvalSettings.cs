using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.ComponentModel;
using LlmDistill.Export;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Options;
using LlmDistill.Teacher;

namespace LlmDistill.Evaluation;

/// <summary>Everything the eval stage (<see cref="EvalRun"/>) needs; each default is the one place that default lives.</summary>
public sealed record EvalSettings : IValidatedOptions
{
    [OptionName("teacher", "-t"), PathOption, Description("Teacher GGUF model (with a teacher URL: only its tokenizer and chat template are loaded).")]
    public required string TeacherPath { get; init; }

    [OptionName("student", "-s"), PathOption, Description("A student: GGUF file, checkpoint folder or training-run folder. Repeat for several.")]
    public IReadOnlyList<string> StudentPaths { get; init; } = [];

    [OptionName("data", "-d"), PathOption, Description("Held-out questions: .jsonl, .csv or .parquet with gold answers.")]
    public required string DataPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("Report folder: metrics.json, report.md, report.html, predictions.parquet (written whole at the end).")]
    public required string OutputFolder { get; init; }

    public PromptOptions Prompt { get; init; } = new();
    public DatasetReadOptions Dataset { get; init; } = new();
    public SamplingOptions Sampling { get; init; } = new();
    public EngineOptions Engine { get; init; } = new();
    /// <summary>A teacher served elsewhere answers instead of the local GGUF (students still run locally).</summary>
    public RemoteTeacherOptions Remote { get; init; } = new();

    [OptionName("traces"), PathOption, Description("Held-out teacher traces (folder or part file) for per-token KL(teacher ‖ student) and NLL.")]
    public string? TracesPath { get; init; }

    [Description("Most traces scored per model (teacher forcing costs one forward pass per trace).")]
    public int TraceLimit { get; init; } = 200;

    [Description("1 = greedy only; N > 1 also draws N samples per question and reports majority-vote (self-consistency) accuracy.")]
    public int Samples { get; init; } = 1;

    [Description("Only the first N questions.")]
    public long? Limit { get; init; }

    [OptionName("adapter"), PathOption, Description("A LoRA adapter GGUF applied to the student GGUF (its base); a LoRA run's folder needs none: it names its own base and adapter.")]
    public string? StudentAdapterPath { get; init; }

    [Description("Export checkpoint folders as this type before evaluating (default: their model.gguf as saved).")]
    public ExportType? StudentType { get; init; }

    [Description("Replace an existing report folder.")]
    public bool Force { get; init; }

    /// <summary>Temperature samples per question besides the greedy one.</summary>
    public int TemperatureSamples => Samples > 1 ? Samples : 0;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            OptionChecks.FileExists(nameof(TeacherPath), TeacherPath),
            OptionChecks.FileExists(nameof(DataPath), DataPath),
            OptionChecks.FileExists(nameof(StudentAdapterPath), StudentAdapterPath),
            StudentAdapterPath is not null && (StudentPaths.Count != 1 || !File.Exists(StudentPaths[0]))
                ? new OptionError(nameof(StudentAdapterPath), "applies to one student given as a GGUF file (its base): give exactly one {StudentPaths} GGUF") : null,
            .. StudentPaths.Select(s => File.Exists(s) || Directory.Exists(s) ? null : new OptionError(nameof(StudentPaths), $"names {s}, which does not exist")),
            TracesPath is null || File.Exists(TracesPath) || Directory.Exists(TracesPath) ? null : new OptionError(nameof(TracesPath), $"names {TracesPath}, which does not exist"),
            OptionChecks.AtLeast(nameof(TraceLimit), TraceLimit, 1),
            OptionChecks.AtLeast(nameof(Samples), Samples, 1),
            Limit is long limit ? OptionChecks.AtLeast(nameof(Limit), limit, 1) : null,
            Directory.Exists(OutputFolder) && !Force ? new OptionError(nameof(OutputFolder), $"{OutputFolder} already exists: set {{Force}} to replace it, or choose another folder") : null,
        ],
        (nameof(Prompt), Prompt), (nameof(Dataset), Dataset), (nameof(Sampling), Sampling), (nameof(Engine), Engine), (nameof(Remote), Remote));
}

/// <summary>Where a run is: which model (0 = teacher), what it is doing, and how far along.</summary>
public sealed record EvalProgress(int ModelIndex, string Model, string Phase, long Done, long Total);
