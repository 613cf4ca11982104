using System.ComponentModel;
using System.Text.Json;
using LlmDistill.Options;
using LlmDistill.Tokenization;
using LlmDistill.Training.Data;

namespace LlmDistill.Training;

/// <summary>
/// Which traces a run reads and how they become batches, saved as <c>data.json</c> in the run folder so that
/// <c>--resume</c> rebuilds the same batch stream. Batch size and shuffle seed come from the <see cref="TrainerOptions"/>.
/// </summary>
[OptionGroup]
public sealed record TraceDataSettings : IValidatedOptions
{
    public const string FileName = "data.json";

    [OptionName("traces"), PathOption, Description("Trace folder written by `llmdistill generate` (or `traces import`).")]
    public required string TracesFolder { get; init; }

    [OptionName("max-length"), Description("Most tokens per training sequence (prompt + completion; long prompts lose their start).")]
    public int MaxSequenceLength { get; init; } = 1024;

    [OptionName("eval-percent"), Description("Percent of questions held out for the eval loss.")]
    public int EvaluationPercent { get; init; } = 5;

    [Description("Train on every trace, not only those the generate stage marked keep.")]
    public bool AllTraces { get; init; }

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        Directory.Exists(TracesFolder) ? null : new OptionError(nameof(TracesFolder), $"names {TracesFolder}, which is not a folder"),
        OptionChecks.AtLeast(nameof(MaxSequenceLength), MaxSequenceLength, 2),
        OptionChecks.Within(nameof(EvaluationPercent), EvaluationPercent, 0, 99),
    ]);

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    internal TraceTrainingBatches Open(TokenizerVocabulary studentVocabulary, TrainerOptions options) => new(TracesFolder, studentVocabulary, new TraceLoaderOptions
    {
        BatchSize = options.BatchSize,
        Seed = options.Seed,
        MaxSequenceLength = MaxSequenceLength,
        EvaluationPercent = EvaluationPercent,
        Keep = AllTraces ? TraceKeepFilter.All : TraceKeepFilter.RespectKeep,
    });

    public void Save(string runFolder) => File.WriteAllText(Path.Combine(runFolder, FileName), JsonSerializer.Serialize(this, Json));

    public static TraceDataSettings Load(string runFolder)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) throw new FileNotFoundException($"{runFolder} has no {FileName}: it was not made by `llmdistill train`.", path);
        return JsonSerializer.Deserialize<TraceDataSettings>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty.");
    }
}
