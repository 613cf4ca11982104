using LlmDistill.Demo.Arithmetic;

namespace LlmDistill.Demo;

/// <summary>The demo's questions: the shipped held-out split, and fresh problems that never repeat a held-out one.</summary>
internal static class DemoData
{
    /// <summary>
    /// The first <paramref name="count"/> held-out problems of the shipped split's seed and sizes for <paramref name="task"/>
    /// (with the default task: <c>datasets/arith-heldout.jsonl</c>, regenerated).
    /// </summary>
    public static IReadOnlyList<ArithmeticProblem> HeldOut(ArithmeticTaskOptions task, int count)
    {
        if (count is < 1 or > ArithmeticTask.ShippedHeldOutCount)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"the shipped held-out split has {ArithmeticTask.ShippedHeldOutCount} questions");
        var splits = new ArithmeticTask(task).Splits(ArithmeticTask.ShippedSeed, ArithmeticTask.ShippedTrainCount, ArithmeticTask.ShippedHeldOutCount);
        return [.. splits.HeldOut.Take(count)];
    }

    /// <summary>
    /// <paramref name="count"/> problems of <paramref name="seed"/>, skipping any whose steps equal a problem of
    /// <paramref name="exclude"/> (so held-out accuracy never measures recall of a training problem).
    /// </summary>
    public static IReadOnlyList<ArithmeticProblem> Problems(ArithmeticTaskOptions task, int seed, int count, IReadOnlyCollection<ArithmeticProblem> exclude)
    {
        var excluded = exclude.Select(p => p.Rationale).ToHashSet(StringComparer.Ordinal);
        return [.. new ArithmeticTask(task).Generate(seed, count + exclude.Count).Where(p => !excluded.Contains(p.Rationale)).Take(count)];
    }
}
