namespace LlmDistill.Training;

/// <summary>
/// Linear warmup to the peak rate, then half a cosine down to the floor at the last step (as nanoGPT's get_lr).
/// A pure function of the step, so a resumed run needs no scheduler state.
/// </summary>
internal static class LearningRateSchedule
{
    /// <summary>The rate for optimizer update <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double At(long step, long totalSteps, TrainerOptions options)
    {
        if (step < options.WarmupSteps) return options.LearningRate * (step + 1) / options.WarmupSteps;
        long decaySteps = totalSteps - options.WarmupSteps;
        if (decaySteps <= 1) return options.LearningRate;
        double progress = Math.Clamp((double)(step - options.WarmupSteps) / (decaySteps - 1), 0, 1); // 0 → 1 over the decay
        double cosine = 0.5 * (1 + Math.Cos(Math.PI * progress));                                       // 1 → 0
        return options.EffectiveMinLearningRate + cosine * (options.LearningRate - options.EffectiveMinLearningRate);
    }
}
