using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;
using LlmDistill.Evaluation;

namespace LlmDistill.Demo;

/// <summary>
/// One student's result: held-out greedy accuracy (0..1; the mean over seeds when trained several times), parameters
/// (tensor elements of its GGUF) and training seconds (summed over seeds).
/// </summary>
public sealed record DemoStudentResult(double Accuracy, long Params, double TrainingSeconds)
{
    /// <summary>Each seed's accuracy, in seed order.</summary>
    public IReadOnlyList<double> SeedAccuracies { get; init; } = [];
    /// <summary>Sample standard deviation of <see cref="SeedAccuracies"/> (n − 1 in the denominator; 0 for one seed).</summary>
    public double Sd { get; init; }

    /// <summary>The result of one student trained with each seed: mean and sample sd of their accuracies.</summary>
    public static DemoStudentResult Of(IReadOnlyList<double> accuracies, long parameters, double trainingSeconds)
    {
        double mean = accuracies.Average();
        double sd = accuracies.Count < 2 ? 0 : Math.Sqrt(accuracies.Sum(a => (a - mean) * (a - mean)) / (accuracies.Count - 1));
        return new DemoStudentResult(mean, parameters, trainingSeconds) { SeedAccuracies = [.. accuracies], Sd = sd };
    }

    /// <summary>"95.2% ± 1.3" (percent, sd in points), or "95.2%" for one seed.</summary>
    public string MeanAndSd => SeedAccuracies.Count > 1 ? $"{100 * Accuracy:F1}% ± {100 * Sd:F1}" : $"{100 * Accuracy:F1}%";
}

/// <summary><c>summary.json</c> in the demo's output folder; keys are snake_case.</summary>
public sealed record DemoSummary
{
    public const string FileName = "summary.json";

    /// <summary>The conventions of the eval report's metrics.json: snake_case keys and enum values, indented.</summary>
    public static JsonSerializerOptions Json => EvalReport.Json;

    public required string Recipe { get; init; }
    /// <summary>The recipe whose teacher was used: this one, or the one it borrowed a cached teacher from.</summary>
    public required string TeacherRecipe { get; init; }
    public required double TeacherAccuracy { get; init; }
    public required int HeldoutQuestions { get; init; }
    public required double WallSeconds { get; init; }
    public required long TeacherParams { get; init; }
    public required bool TeacherCached { get; init; }
    public required double TeacherTrainingSeconds { get; init; }
    /// <summary>(a) trained on question → gold answer only.</summary>
    public required DemoStudentResult Baseline { get; init; }
    /// <summary>(b) trained on the teacher's rationales, likelihood only (α = 0).</summary>
    public required DemoStudentResult Rationale { get; init; }
    /// <summary>(c) distilled: KL to the teacher's top-k plus rationale likelihood.</summary>
    public required DemoStudentResult Distilled { get; init; }
    /// <summary>(d) on-policy: (c) continued by on-policy rounds; null when the recipe has none.</summary>
    public DemoStudentResult? Onpolicy { get; init; }
    /// <summary>(c′) the control for (d): (c) continued by as many steps on the teacher's traces only; null unless the recipe asks for it.</summary>
    public DemoStudentResult? Continued { get; init; }
    /// <summary>Times each student was trained (trainer seeds pool seed, +1, ...).</summary>
    public int Seeds { get; init; } = 1;
    /// <summary>McNemar's exact test between students on predictions pooled over seeds (each question × seed a pair).</summary>
    public IReadOnlyList<PairedComparison> PooledComparisons { get; init; } = [];
    /// <summary>Questions the teacher annotated, and traces the students could learn from.</summary>
    public required int PoolQuestions { get; init; }
    public required long KeptTraces { get; init; }
    public required double TeacherPoolAccuracy { get; init; }
    public required string Report { get; init; }
    /// <summary>Wall seconds of each stage, in the order they ran.</summary>
    public required IReadOnlyDictionary<string, double> StageSeconds { get; init; }
    /// <summary>Each bar of the demo's issue and whether this run met it.</summary>
    public required IReadOnlyList<DemoBar> Bars { get; init; }

    public void Save(string path)
    {
        string temp = path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(this, Json));
        File.Move(temp, path, overwrite: true);
    }
}

/// <summary>One claim about a run, with what was measured and whether it holds.</summary>
public sealed record DemoBar(string Name, string Measured, bool Met);
