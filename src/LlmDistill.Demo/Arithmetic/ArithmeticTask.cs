using System.Globalization;

namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// The demo's own reasoning task: short templated word problems whose answer needs at least three dependent
/// operations, each with its gold rationale (see <see cref="ArithmeticTaskOptions"/> for difficulty and how it
/// relates to the calibration). Everything is a function of the seed: the same seed and options give the same
/// problems, ids and file bytes on any machine (<see cref="Random"/> with a seed is a fixed algorithm).
/// </summary>
internal sealed class ArithmeticTask
{
    /// <summary>The seed, sizes and file names of the committed <c>datasets/arith-*.jsonl</c>.</summary>
    public const int ShippedSeed = 1;
    public const int ShippedTrainCount = 2000;
    public const int ShippedHeldOutCount = 500;
    public const string TrainFileName = "arith-train.jsonl";
    public const string HeldOutFileName = "arith-heldout.jsonl";

    // Draws in a row that may fail (an event that cannot fit, a repeated problem) before the options are declared
    // unable to give that many distinct problems.
    const int MaxFailuresInARow = 100_000;
    const int TriesPerEvent = 20;

    public ArithmeticTaskOptions Options { get; }

    public ArithmeticTask(ArithmeticTaskOptions? options = null) => Options = (options ?? ArithmeticTaskOptions.Default).Validate();

    /// <summary>The first <paramref name="count"/> distinct problems of the seed, ids <c>arith-train-0000</c>...</summary>
    public IReadOnlyList<ArithmeticProblem> Generate(int seed, int count) => Splits(seed, count, 0).Train;

    /// <summary>
    /// <paramref name="trainCount"/> then <paramref name="heldOutCount"/> problems from one stream. Problems are
    /// distinct by their steps, not just their wording: a held-out problem never repeats a training problem's
    /// arithmetic under another name, so held-out accuracy measures the arithmetic, not recall.
    /// </summary>
    public ArithmeticSplits Splits(int seed, int trainCount, int heldOutCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainCount);
        ArgumentOutOfRangeException.ThrowIfNegative(heldOutCount);
        var random = new Random(seed);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var train = new List<ArithmeticProblem>(trainCount);
        var heldOut = new List<ArithmeticProblem>(heldOutCount);
        int failures = 0;
        while (train.Count + heldOut.Count < trainCount + heldOutCount)
        {
            var problem = TryDraw(random);
            if (problem is null || !seen.Add(problem.Rationale))
            {
                if (++failures >= MaxFailuresInARow)
                    throw new InvalidOperationException(
                        $"These options gave only {seen.Count} distinct problems ({trainCount + heldOutCount} asked); widen the operand ranges or add wordings.");
                continue;
            }
            failures = 0;
            if (train.Count < trainCount) train.Add(problem with { Id = Id("train", train.Count) });
            else heldOut.Add(problem with { Id = Id("heldout", heldOut.Count) });
        }
        return new ArithmeticSplits(train, heldOut);
    }

    static string Id(string split, int index) => $"arith-{split}-{index.ToString("D4", CultureInfo.InvariantCulture)}";

    /// <summary>Writes <see cref="TrainFileName"/> and <see cref="HeldOutFileName"/> into <paramref name="directory"/>.</summary>
    public ArithmeticSplits WriteSplits(string directory, int seed, int trainCount, int heldOutCount)
    {
        var splits = Splits(seed, trainCount, heldOutCount);
        ArithmeticJsonl.Write(Path.Combine(directory, TrainFileName), splits.Train);
        ArithmeticJsonl.Write(Path.Combine(directory, HeldOutFileName), splits.HeldOut);
        return splits;
    }

    /// <summary>One problem, or null when an event could not be fitted (the caller draws again).</summary>
    ArithmeticProblem? TryDraw(Random random)
    {
        var o = Options;
        var cast = new Phrasebook.Cast(random.Next(o.Names), random.Next(o.Objects));
        int start = o.Start.Draw(random);
        int total = start, operations = 0;
        var events = new List<ProblemEvent>();
        while (operations < o.Operations)
        {
            var kinds = events.Count == 0 && o.GroupEvents.Length > 0 ? o.GroupEvents : o.SingleEvents;
            var kind = kinds[random.Next(kinds.Length)];
            if (TryDrawEvent(random, kind, total) is not { } e) return null;
            events.Add(e);
            total = ProblemArithmetic.Apply(total, e)!.Value;
            operations += kind.Operations();
        }
        var wordings = Enumerable.Range(0, events.Count + 2).Select(_ => random.Next(o.Phrasings)).ToArray();
        string question = Phrasebook.Render(cast, start, events, wordings);
        var steps = ProblemArithmetic.Steps(start, events)!;
        return new ArithmeticProblem("", question, steps);
    }

    /// <summary>
    /// An event of <paramref name="kind"/> whose result is exact and in 1..MaxValue (zero is allowed by the arithmetic
    /// but makes degenerate problems: "0*3=0"), or null after a few tries.
    /// </summary>
    ProblemEvent? TryDrawEvent(Random random, ProblemEventKind kind, int total)
    {
        var o = Options;
        for (int attempt = 0; attempt < TriesPerEvent; attempt++)
        {
            var e = kind switch
            {
                ProblemEventKind.BuyGroups or ProblemEventKind.SellGroups => new ProblemEvent(kind, o.GroupCount.Draw(random), o.GroupSize.Draw(random)),
                ProblemEventKind.Receive or ProblemEventKind.GiveAway => new ProblemEvent(kind, o.Change.Draw(random)),
                ProblemEventKind.Multiply => new ProblemEvent(kind, o.Factor.Draw(random)),
                ProblemEventKind.Share => new ProblemEvent(kind, o.Divisor.Draw(random)),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
            };
            bool groupFits = !kind.IsGroup() || (long)e.First * e.Second <= o.MaxValue;
            if (groupFits && ProblemArithmetic.Apply(total, e) is { } result && result >= 1 && result <= o.MaxValue) return e;
        }
        return null;
    }

    /// <summary>The gold steps of a question written in the task's wordings, or null with the reason.</summary>
    public static IReadOnlyList<ArithmeticStep>? GoldSteps(string question, out string? failure)
    {
        ArgumentNullException.ThrowIfNull(question);
        if (Phrasebook.Parse(question, out failure) is not (int start, List<ProblemEvent> events)) return null;
        var steps = ProblemArithmetic.Steps(start, events);
        if (steps is null) failure = "the question's arithmetic goes negative or divides inexactly";
        return steps;
    }

    /// <summary>
    /// Recomputes every step of <paramref name="rationale"/> and checks them against the gold steps read from
    /// <paramref name="question"/> (same order; operands of + and * may be swapped), then checks
    /// <paramref name="answer"/> is the last result. Works on any text, e.g. a teacher's or student's completion.
    /// </summary>
    public static ArithmeticVerification Verify(string question, string rationale, string answer)
    {
        ArgumentNullException.ThrowIfNull(rationale);
        ArgumentNullException.ThrowIfNull(answer);
        if (GoldSteps(question, out string? failure) is not { } gold)
            return ArithmeticVerification.Invalid($"question not in the task's language: {failure}");
        if (RationaleSteps.Parse(rationale) is not { } written)
            return ArithmeticVerification.Invalid("a number in the rationale is too large", gold.Count);
        for (int i = 0; i < written.Count; i++)
        {
            var s = written[i];
            int? actual = ArithmeticStep.Apply(s.Left, s.Operator, s.Right);
            if (actual != s.Result)
                return ArithmeticVerification.Invalid(
                    $"step {i + 1} '{s}' is wrong: {s.Left}{s.Operator}{s.Right} is {(actual?.ToString(CultureInfo.InvariantCulture) ?? "not a whole non-negative number")}", gold.Count);
        }
        if (written.Count != gold.Count)
            return ArithmeticVerification.Invalid($"the rationale has {written.Count} steps, the question needs {gold.Count}", gold.Count);
        for (int i = 0; i < gold.Count; i++)
            if (!gold[i].SameOperation(written[i]))
                return ArithmeticVerification.Invalid($"step {i + 1} is '{written[i]}', the question needs '{gold[i]}'", gold.Count);
        if (!int.TryParse(answer.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int given) || given != gold[^1].Result)
            return ArithmeticVerification.Invalid($"the answer is '{answer.Trim()}', the steps give {gold[^1].Result}", gold.Count);
        return ArithmeticVerification.Valid(gold.Count);
    }
}
