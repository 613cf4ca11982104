namespace LlmDistill.Fuzz;

/// <summary>What a fuzz input did that the rule forbids: ran over the time limit or allocated beyond the bound.</summary>
public sealed class FuzzFindingException(string message) : Exception(message);

/// <summary>
/// The rule every target is held to: a valid result or the parser's documented exception (see <see cref="FuzzTargets"/>),
/// no run over <see cref="TimeLimit"/> of CPU time (1 s; the first run of a process gets 10 s for JIT compilation), and no more than
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
        var limit = _warm ? TimeLimit : FirstRunLimit > TimeLimit ? FirstRunLimit : TimeLimit;
        bool result = Check(target, data.Length, () => FuzzTargets.Run(target, data), limit, failFastOnHang);
        _warm = true;
        return result;
    }

    /// <summary><see cref="Check(string, byte[], bool)"/> for any <paramref name="run"/> of an input of <paramref name="inputBytes"/>, within <paramref name="limit"/>.</summary>
    public static bool Check(string target, int inputBytes, Func<bool> run, TimeSpan limit, bool failFastOnHang = false)
    {
        bool result = false;
        Exception? error = null;
        long allocated = 0;
        // Its own thread, so a hang can be noticed; 64 MiB of stack so that deep but bounded recursion is not a finding
        // of this harness while unbounded recursion still is (a stack overflow ends the process: a crash).
        int tid = 0; // unknown until the thread has read it
        var thread = new Thread(() =>
        {
            Volatile.Write(ref tid, KernelThreadId() ?? 0);
            // This thread's own allocations: other threads (tests running beside these) must not count.
            long before = GC.GetAllocatedBytesForCurrentThread();
            try { result = run(); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, 64 << 20) { IsBackground = true, Name = "fuzz-" + target };
        thread.Start();
        if (!Finished(thread, () => ThreadCpuTime(Volatile.Read(ref tid)), limit))
        {
            string message = $"{target}: a {inputBytes}-byte input ran over {limit.TotalSeconds} s of CPU time";
            if (failFastOnHang) Environment.FailFast(message);
            throw new FuzzFindingException(message);
        }
        if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        if (allocated > AllocationBound(inputBytes))
            throw new FuzzFindingException($"{target}: a {inputBytes}-byte input allocated {allocated:N0} bytes, over the bound of {AllocationBound(inputBytes):N0}");
        return result;
    }

    /// <summary>
    /// Whether <paramref name="thread"/> ends within <paramref name="limit"/> of its own CPU time (Linux: its
    /// /proc/self/task/TID/stat; elsewhere wall time), or ten times the limit of wall time. A wall-clock second alone is
    /// no measure under AFL at nice 19 beside other work: a starved target once ran a 284-byte tokenizer.json past it
    /// that replays in milliseconds. A real loop burns CPU.
    /// </summary>
    static bool Finished(Thread thread, Func<TimeSpan?> cpu, TimeSpan limit)
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        while (!thread.Join(limit / 4))
            if ((cpu() ?? wall.Elapsed) >= limit || wall.Elapsed >= limit * 10) return false;
        return true;
    }

    /// <summary>The calling thread's id in the kernel (the first field of /proc/thread-self/stat), or null off Linux.</summary>
    static int? KernelThreadId()
    {
        try { return int.Parse(File.ReadAllText("/proc/thread-self/stat").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture); }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>User + system CPU time of thread <paramref name="tid"/> of this process (fields 14 and 15, clock ticks of 10 ms), or null.</summary>
    static TimeSpan? ThreadCpuTime(int tid)
    {
        if (tid <= 0) return null;
        try
        {
            string stat = File.ReadAllText($"/proc/self/task/{tid}/stat");
            string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // after "pid (comm) ": field 3 first
            return TimeSpan.FromMilliseconds(10 * (long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)));
        }
        catch (IOException) { return null; } // the thread has ended
    }
}
