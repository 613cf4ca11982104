namespace LlmDistill.Generation;

/// <summary>
/// Which traces the training stage sees. Every row is stored; the `keep` column records this policy's verdict so
/// training can filter without re-running generation (and a different policy is one query away).
/// </summary>
public enum KeepPolicy
{
    /// <summary>Every trace that finished without error.</summary>
    All,
    /// <summary>Traces whose answer matches the gold answer (rows without gold fall back to Majority).</summary>
    Correct,
    /// <summary>Traces that agree with their question's majority answer (self-consistency pseudo-labels).</summary>
    Majority,
}

public static class KeepPolicies
{
    /// <summary>The verdict for one trace. correct: null when the question has no gold answer.</summary>
    public static bool Keeps(this KeepPolicy policy, bool finishedWell, bool hasAnswer, bool? correct, bool agreesWithMajority) => policy switch
    {
        _ when !finishedWell => false,
        KeepPolicy.All => true,
        KeepPolicy.Correct when correct is bool c => c,
        _ => hasAnswer && agreesWithMajority,
    };
}
