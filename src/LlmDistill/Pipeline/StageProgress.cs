using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Evaluation;
using LlmDistill.Generation;
using LlmDistill.Training;

namespace LlmDistill.Pipeline;

/// <summary>Where a multi-stage run is: the stage, what it is doing, and how far along (<paramref name="Done"/> of <paramref name="Total"/>).</summary>
public sealed record StageProgress(string Stage, string Detail, double Done, double Total)
{
    /// <summary>Reports a stage's own progress as <see cref="StageProgress"/>, on the calling thread (<see cref="InlineProgress{T}"/>).</summary>
    public static IProgress<GenerateProgress> ForGenerate(string stage, IProgress<StageProgress>? progress) => new InlineProgress<GenerateProgress>(p =>
        progress?.Report(new StageProgress(stage, $"{p.Rows} traces, {p.TokensPerSecond:F0} tok/s" + (p.Accuracy is double a ? $", accuracy {a:P1}" : ""),
            p.QuestionsDone, p.QuestionsTotal)));

    public static IProgress<TrainingProgress> ForTraining(string stage, IProgress<StageProgress>? progress) => new InlineProgress<TrainingProgress>(p =>
        progress?.Report(new StageProgress(stage,
            p.Latest is { } m ? $"step {p.Step}/{p.TotalSteps}, loss {m.Loss:F3}, {m.TokensPerSecond:F0} tok/s" : $"step {p.Step}/{p.TotalSteps}",
            p.Step, p.TotalSteps)));

    public static IProgress<EvalProgress> ForEval(string stage, int models, IProgress<StageProgress>? progress) => new InlineProgress<EvalProgress>(p =>
        progress?.Report(new StageProgress(stage, $"{p.Model}: {p.Phase}", p.ModelIndex + (p.Total > 0 ? (double)p.Done / p.Total : 0), models)));
}
