namespace LlmDistill.Training;

/// <summary>Reported after every optimizer update; the loss fields are those of the latest logged step.</summary>
/// <param name="Step">Updates done.</param>
/// <param name="TotalSteps">Updates planned.</param>
/// <param name="Latest">The latest metrics line (null before the first log step of this process).</param>
/// <param name="EvalLoss">The latest held-out loss, if any.</param>
/// <param name="Remaining">Estimated wall time to the last step, from this process's pace.</param>
public sealed record TrainingProgress(long Step, long TotalSteps, TrainingMetrics? Latest, double? EvalLoss, TimeSpan Elapsed, TimeSpan? Remaining);
