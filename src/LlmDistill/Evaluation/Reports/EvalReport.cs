using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LlmDistill.Evaluation.Reports;

/// <summary>The held-out traces KL and NLL were measured on.</summary>
public sealed record TraceSetInfo(string Path, int Records, long Tokens);

/// <summary>
/// <c>metrics.json</c>: what was evaluated and how, every model's <see cref="ModelResult"/> (teacher first), and every
/// pairwise McNemar comparison. Schema documented in docs/metrics.md; keys are snake_case, unknown values null.
/// </summary>
public sealed record EvalReport
{
    public const string FileName = "metrics.json";
    public const string SchemaName = "llmdistill-eval-metrics";
    public const int SchemaVersion = 1;

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = true,
    };

    public string Schema { get; init; } = SchemaName;
    public int Version { get; init; } = SchemaVersion;
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;
    public string ToolVersion { get; init; } = "dev";
    /// <summary>Data set name/split (e.g. gsm8k/test), or several joined by " + " in a merged report.</summary>
    public string Dataset { get; init; } = "";
    public string PromptTemplate { get; init; } = "";
    /// <summary>True when prompts were not wrapped in the models' chat templates.</summary>
    public bool Raw { get; init; }
    /// <summary>Temperature samples per question besides the greedy one.</summary>
    public int Samples { get; init; }
    public float SampleTemperature { get; init; }
    public int MaxTokens { get; init; }
    /// <summary>Name of the model retention, agreement and compression are measured against.</summary>
    public string Teacher { get; init; } = "";
    public TraceSetInfo? Traces { get; init; }
    public IReadOnlyList<ModelResult> Models { get; init; } = [];
    public IReadOnlyList<PairedComparison> Comparisons { get; init; } = [];

    /// <summary>
    /// Scores every model from its predictions against the first teacher in <paramref name="models"/> and compares
    /// every pair; the rest of <paramref name="header"/> is kept.
    /// </summary>
    public static EvalReport Build(EvalReport header, IReadOnlyList<ModelResult> models, IReadOnlyList<Prediction> predictions)
    {
        var byModel = predictions.GroupBy(p => p.Model).ToDictionary(g => g.Key, g => (IReadOnlyList<Prediction>)[.. g]);
        IReadOnlyList<Prediction> Of(string name) => byModel.TryGetValue(name, out var list) ? list : [];
        var teacher = models.FirstOrDefault(m => m.Role == ModelRole.Teacher)
            ?? throw new InvalidDataException("the report has no teacher: retention and agreement need one");
        var scored = models.Select(m => ModelScoring.Score(m, Of(m.Name), m == teacher ? null : (teacher, Of(teacher.Name)))).ToArray();
        return header with
        {
            Teacher = teacher.Name, Models = scored,
            Comparisons = PairedComparison.AllPairs([.. models.Select(m => (m.Name, Of(m.Name)))]),
        };
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static EvalReport Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"metrics file not found: {path}", path);
        EvalReport? report;
        try { report = JsonSerializer.Deserialize<EvalReport>(File.ReadAllText(path), Json); }
        catch (JsonException e) { throw new InvalidDataException($"{path} is not a metrics.json written by llmdistill eval: {e.Message}", e); }
        if (report is null || report.Schema != SchemaName)
            throw new InvalidDataException($"{path} is not a metrics.json written by llmdistill eval (schema '{report?.Schema}').");
        if (report.Version != SchemaVersion)
            throw new InvalidDataException($"{path} has metrics schema version {report.Version}; this build reads version {SchemaVersion}.");
        return report;
    }
}
