namespace LlmDistill.Training.Losses;

/// <summary>
/// A distillation temperature that moves linearly from <paramref name="Start"/> at step 0 to <paramref name="End"/>
/// at <paramref name="Steps"/>, then stays at <paramref name="End"/>. A common use is starting soft (T0 = 2..4)
/// so early training sees the teacher's ranking, and ending at T1 = 1, the distribution the student will sample from.
/// </summary>
public sealed record TemperatureSchedule(double Start, double End, long Steps)
{
    public double Start { get; } = Start > 0 ? Start : throw new ArgumentOutOfRangeException(nameof(Start), Start, "temperature must be positive");
    public double End { get; } = End > 0 ? End : throw new ArgumentOutOfRangeException(nameof(End), End, "temperature must be positive");
    public long Steps { get; } = Steps >= 0 ? Steps : throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "steps must be non-negative");

    /// <summary>The temperature at optimizer step <paramref name="step"/> (0-based).</summary>
    public double At(long step)
    {
        if (Steps == 0 || step >= Steps) return End;
        if (step <= 0) return Start;
        return Start + (End - Start) * step / Steps;
    }
}
