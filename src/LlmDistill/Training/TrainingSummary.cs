namespace LlmDistill.Training;

/// <summary>What a call to <see cref="Trainer.Run"/> did.</summary>
/// <param name="Step">Updates done in the run folder (this process's and earlier ones').</param>
/// <param name="StepsThisRun">Updates made by this call.</param>
/// <param name="Interrupted">Stopped by cancellation; the checkpoint holds the last finished step.</param>
/// <param name="Loss">Training loss at the last logged step.</param>
/// <param name="EvalLoss">Held-out loss at the last evaluation.</param>
/// <param name="TokensPerSecond">Input positions per second over this call.</param>
/// <param name="Notes">Settings the trainer could not honour (e.g. bf16 on CPU), one sentence each.</param>
public sealed record TrainingSummary(
    long Step,
    long TotalSteps,
    long StepsThisRun,
    bool Interrupted,
    TrainingMetrics? Loss,
    double? EvalLoss,
    long TokensSeen,
    double TokensPerSecond,
    TimeSpan Wall,
    string RunFolder,
    string CheckpointFolder,
    IReadOnlyList<string> Notes)
{
    /// <summary>The run's metrics.jsonl: one JSON line per logged step.</summary>
    public string MetricsPath => Path.Combine(RunFolder, Trainer.MetricsFileName);

    /// <summary>The run's loss curve (PNG).</summary>
    public string PlotPath => Path.Combine(RunFolder, Trainer.PlotFileName);
}
