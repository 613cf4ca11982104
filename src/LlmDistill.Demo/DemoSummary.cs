using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;
using LlmDistill.Evaluation;

namespace LlmDistill.Demo;

/// <summary>One student's result: held-out greedy accuracy (0..1) and parameters (tensor elements of its GGUF).</summary>
public sealed record DemoStudentResult(double Accuracy, long Params, double TrainingSeconds);

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
