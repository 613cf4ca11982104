using System.Text.Json.Serialization;

namespace LlmDistill.Training;

/// <summary>
/// One line of <c>metrics.jsonl</c>. Training values are those of the step named (not averages); eval loss is present
/// on evaluation steps only. Losses in nats per token.
/// </summary>
/// <param name="Step">Optimizer updates done (1-based).</param>
/// <param name="LearningRate">Rate used for this step's update.</param>
/// <param name="Loss">α·T²·KL + (1 − α)·NLL, mean over the step's micro-batches.</param>
/// <param name="GradNorm">Global gradient L2 norm before clipping.</param>
/// <param name="TokensPerSecond">Input positions per second since the previous line.</param>
/// <param name="ElapsedSeconds">Wall time of this process's run so far.</param>
public sealed record TrainingMetrics(
    long Step,
    [property: JsonPropertyName("lr")] double LearningRate,
    double? Loss,
    double? Kl,
    double? NllRationale,
    double? NllAnswer,
    double? GradNorm,
    double? TokensPerSecond,
    double? EvalLoss,
    double ElapsedSeconds);
