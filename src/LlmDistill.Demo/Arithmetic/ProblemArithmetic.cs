namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// The gold steps of a problem: the running count starts at the start sentence's number and each event applies to
/// it. A group event first computes the group total (<c>4*7=28</c>, from question numbers only) and then adds or
/// removes it; every other step takes the previous step's result as its left operand, so the steps form one chain.
/// </summary>
internal static class ProblemArithmetic
{
    /// <summary>The steps, or null when a step would go negative, divide inexactly or overflow.</summary>
    public static List<ArithmeticStep>? Steps(int start, IReadOnlyList<ProblemEvent> events)
    {
        var steps = new List<ArithmeticStep>();
        int total = start;
        int? totalStep = null; // the step whose result is the running count (null: the start number)
        foreach (var e in events)
        {
            int right = e.First;
            int? rightStep = null;
            if (e.Kind.IsGroup())
            {
                if (ArithmeticStep.Apply(e.First, '*', e.Second) is not { } product) return null;
                steps.Add(new ArithmeticStep(e.First, '*', e.Second, product));
                right = product;
                rightStep = steps.Count - 1;
            }
            char op = OperatorOf(e.Kind);
            if (ArithmeticStep.Apply(total, op, right) is not { } result) return null;
            steps.Add(new ArithmeticStep(total, op, right, result, totalStep, rightStep));
            total = result;
            totalStep = steps.Count - 1;
        }
        return steps;
    }

    /// <summary>The operator an event applies to the running count (a group event's total is a product first).</summary>
    public static char OperatorOf(ProblemEventKind kind) => kind switch
    {
        ProblemEventKind.BuyGroups or ProblemEventKind.Receive => '+',
        ProblemEventKind.SellGroups or ProblemEventKind.GiveAway => '-',
        ProblemEventKind.Multiply => '*',
        ProblemEventKind.Share => '/',
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>The running count after <paramref name="e"/>, or null when it would go negative or divide inexactly.</summary>
    public static int? Apply(int total, ProblemEvent e) =>
        (e.Kind.IsGroup() ? ArithmeticStep.Apply(e.First, '*', e.Second) : e.First) is { } right
            ? ArithmeticStep.Apply(total, OperatorOf(e.Kind), right)
            : null;

    /// <summary>
    /// The longest chain of steps each using the previous one's result (1 for a lone step): the number of operations
    /// that must happen one after another.
    /// </summary>
    public static int DependencyDepth(IReadOnlyList<ArithmeticStep> steps)
    {
        var depth = new int[steps.Count];
        for (int i = 0; i < steps.Count; i++)
            depth[i] = 1 + Math.Max(steps[i].LeftStep is { } l ? depth[l] : 0, steps[i].RightStep is { } r ? depth[r] : 0);
        return steps.Count == 0 ? 0 : depth[^1];
    }
}
