namespace LlmDistill.Fuzz;

/// <summary>What a fuzz input did that the rule forbids: ran over the time limit or allocated beyond the bound.</summary>
public sealed class FuzzFindingException(string message) : Exception(message);

/// <summary>
/// The rule every target is held to: a valid result or the parser's documented exception (see <see cref="FuzzTargets"/>),
/// no run over <see cref="TimeLimit"/> (1 s; the first run of a process gets 10 s for JIT compilation), and no more than
/// <see cref="AllocationBound"/> bytes allocated by the run.
/// </summary>
public static class FuzzHarness
{
    /// <summary>1 s under AFL. The default test run replays with a longer limit (see <c>TestFuzzTargets</c>): it shares
    /// the cores with every other test, so a wall-clock second there says nothing about the parser.</summary>
    public static TimeSpan TimeLimit { get; set; } = TimeSpan.FromSeconds(1);
    static readonly TimeSpan FirstRunLimit = TimeSpan.FromSeconds(10);
    static bool _warm;

    /// <summary>
    /// Allocation bound for an input of <paramref name="inputBytes"/>: 64 MiB plus 256 bytes per input byte. Parsers
    /// expand their input (a 1 MiB Q4_K tensor decodes to 7 MiB of floats, JSON to dictionaries and strings); a
    /// length field believed without a check allocates far more than this.
    /// </summary>
    public static long AllocationBound(int inputBytes) => (64L << 20) + 256L * inputBytes;

    /// <summary>
    /// Runs the target under the watchdog and the allocation bound. Returns what <see cref="FuzzTargets.Run"/> returned;
    /// an undocumented exception escapes unchanged (a crash); a hang or an allocation over the bound throws
    /// <see cref="FuzzFindingException"/>, or with <paramref name="failFastOnHang"/> ends the process at once on a hang
    /// (under AFL, so the stuck thread does not keep running into the next input).
    /// </summary>
    public static bool Check(string target, byte[] data, bool failFastOnHang = false)
    {
        bool result = false;
        Exception? error = null;
        long allocated = 0;
        // Its own thread, so a hang can be noticed; 64 MiB of stack so that deep but bounded recursion is not a finding
        // of this harness while unbounded recursion still is (a stack overflow ends the process: a crash).
        var thread = new Thread(() =>
        {
            // This thread's own allocations: other threads (tests running beside these) must not count.
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { result = FuzzTargets.Run(target, data); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 64 << 20) { IsBackground = true, Name = "fuzz-" + target };
        var limit = _warm ? TimeLimit : FirstRunLimit > TimeLimit ? FirstRunLimit : TimeLimit;
        thread.Start();
        if (!thread.Join(limit))
        {
            string message = $"{target}: a {data.Length}-byte input ran over {limit.TotalSeconds} s";
            if (failFastOnHang) Environment.FailFast(message);
            throw new FuzzFindingException(message);
        }
        _warm = true;
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        if (allocated > AllocationBound(data.Length))
            throw new FuzzFindingException($"{target}: a {data.Length}-byte input allocated {allocated:N0} bytes, over the bound of {AllocationBound(data.Length):N0}");
        return result;
    }
}
