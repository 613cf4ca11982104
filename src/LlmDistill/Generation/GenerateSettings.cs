using System.ComponentModel;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Options;
using LlmDistill.Teacher;
using LlmDistill.Traces.Export;

namespace LlmDistill.Generation;

/// <summary>Everything the generate stage (<see cref="GenerateRun"/>) needs; each default is the one place that default lives.</summary>
public sealed record GenerateSettings : IValidatedOptions
{
    [OptionName("teacher", "-t", "--teacher-tokenizer"), PathOption, Description("Teacher GGUF model (run by llama.cpp); for a remote teacher (teacher URLs set), its GGUF as the tokenizer (only the vocabulary is loaded).")]
    public required string TeacherPath { get; init; }

    [OptionName("data", "-d"), PathOption, Description("Questions: .jsonl, .csv or .parquet (GSM8K's `answer` with `#### N` is understood).")]
    public required string DataPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("Output folder for Parquet part files (resumes if it exists).")]
    public required string OutputFolder { get; init; }

    public PromptOptions Prompt { get; init; } = new();
    public DatasetReadOptions Dataset { get; init; } = new();
    public SamplingOptions Sampling { get; init; } = new();
    public EngineOptions Engine { get; init; } = new();
    public CaptureOptions Capture { get; init; } = new();
    public RemoteTeacherOptions Remote { get; init; } = new();

    [Description("Samples per question; > 1 enables self-consistency (majority vote).")]
    public int Samples { get; init; } = 1;

    [Description("Which traces training sees (every row is stored; this sets the keep column).")]
    public KeepPolicy Keep { get; init; } = KeepPolicy.All;

    [Description("i/n: generate only this machine's share (by hashed example id); machines can share one output folder.")]
    public ShardFilter Shard { get; init; } = ShardFilter.All;

    [Description("Delete traces in the output folder made with other settings and start over.")]
    public bool Force { get; init; }

    [Description("Only the first N questions (after sharding).")]
    public long? Limit { get; init; }

    [Description("Traces per Parquet part file.")]
    public int RowsPerPart { get; init; } = 5000;

    [Description("At the end, also write the kept traces as chat-jsonl, sharegpt, alpaca, parquet-decoded or kd-topk, into the output folder as _<format>.jsonl|.parquet.")]
    public TraceExportFormat? Export { get; init; }

    /// <summary>The temperature these settings sample at.</summary>
    public float EffectiveTemperature => Sampling.TemperatureFor(Samples);

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            OptionChecks.FileExists(nameof(TeacherPath), TeacherPath),
            OptionChecks.FileExists(nameof(DataPath), DataPath),
            OptionChecks.AtLeast(nameof(Samples), Samples, 1),
            Limit is long limit ? OptionChecks.AtLeast(nameof(Limit), limit, 0) : null,
            OptionChecks.AtLeast(nameof(RowsPerPart), RowsPerPart, 1),
        ],
        (nameof(Prompt), Prompt), (nameof(Dataset), Dataset), (nameof(Sampling), Sampling), (nameof(Engine), Engine), (nameof(Capture), Capture), (nameof(Remote), Remote));
}
