using System.Text.Json;
using LlmDistill.Tokenization;
using LlmDistill.Training.Data;

namespace LlmDistill.Training;

/// <summary>
/// Which traces a run reads and how they become batches, saved as <c>data.json</c> in the run folder so that
/// <c>--resume</c> rebuilds the same batch stream. Batch size and shuffle seed come from the <see cref="TrainerOptions"/>.
/// </summary>
public sealed record TraceDataSettings
{
    public const string FileName = "data.json";

    public required string TracesFolder { get; init; }
    /// <summary>Most positions per sequence, tokens.</summary>
    public int MaxSequenceLength { get; init; } = 1024;
    /// <summary>Percent of questions held out for the eval loss.</summary>
    public int EvaluationPercent { get; init; } = 5;
    /// <summary>Train on every trace, not only those the generate stage marked keep.</summary>
    public bool AllTraces { get; init; }

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public TraceTrainingBatches Open(TokenizerVocabulary studentVocabulary, TrainerOptions options) => new(TracesFolder, studentVocabulary, new TraceLoaderOptions
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
