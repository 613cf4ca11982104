namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// What one sentence of a problem does to the running count. Group events cost two operations (the group total,
/// then adding or removing it); the others cost one.
/// </summary>
public enum ProblemEventKind
{
    /// <summary>"She buys 4 bags of 7 apples." → 4*7=28, then s+28.</summary>
    BuyGroups,
    /// <summary>"She sells 3 bags of 5 apples." → 3*5=15, then s-15.</summary>
    SellGroups,
    /// <summary>"She finds 12 more." → s+12.</summary>
    Receive,
    /// <summary>"She gives away 15." → s-15.</summary>
    GiveAway,
    /// <summary>"She ends up with 3 times as many." → s*3.</summary>
    Multiply,
    /// <summary>"She splits them into 4 equal piles and keeps one." → s/4, drawn only when exact.</summary>
    Share,
}

public static class ProblemEventKinds
{
    public static bool IsGroup(this ProblemEventKind kind) => kind is ProblemEventKind.BuyGroups or ProblemEventKind.SellGroups;

    /// <summary>Operations the event adds to the rationale.</summary>
    public static int Operations(this ProblemEventKind kind) => kind.IsGroup() ? 2 : 1;
}
