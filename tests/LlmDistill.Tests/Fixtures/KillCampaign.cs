using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Crash safety of a writing stage: a real `llmdistill` child process is killed with SIGKILL at seeded points of its
/// progress (no flush, no cleanup, no finally), each killed folder is checked for half-written outputs, rerun to
/// completion, and compared with an uninterrupted run. A kill point is a count of bytes the child has written (its
/// <c>wchar</c> in /proc/&lt;pid&gt;/io: files and pipes, all threads) plus a short delay inside the phase that follows,
/// both read off an uninterrupted reference run; the delay is stretched by how much slower the killed run reached its
/// byte count than the reference did, so a busier or quieter machine moves the kill with the run instead of past its end.
/// The default run tries one or two kill points per stage; <c>LLMDISTILL_KILL_CAMPAIGN=full</c> tries <see cref="FullPoints"/>.
/// </summary>
public sealed class KillCampaign(ITestOutputHelper output)
{
    public const int FullPoints = 20;

    /// <summary>How often a running child's progress is read: a few ms keeps kills inside phases that last tens of ms.</summary>
    static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(2);

    /// <summary>To the test's output and, when <c>LLMDISTILL_KILL_LOG</c> names a file, appended there as it happens (a long campaign's progress).</summary>
    void Log(string line)
    {
        output.WriteLine(line);
        if (Environment.GetEnvironmentVariable("LLMDISTILL_KILL_LOG") is { Length: > 0 } file)
            lock (typeof(KillCampaign)) File.AppendAllText(file, $"{DateTime.UtcNow:HH:mm:ss} {line}\n");
    }

    /// <summary>Kill points to try: <paramref name="quick"/> in the default run, <see cref="FullPoints"/> in the long campaign.</summary>
    public static int Points(int quick) => Environment.GetEnvironmentVariable("LLMDISTILL_KILL_CAMPAIGN") == "full" ? FullPoints : quick;

    /// <summary>Runs <paramref name="args"/> as a child process to its end; fails the test on a non-zero exit. Returns its wall time.</summary>
    public static TimeSpan Complete(string[] args) => Reference(args, watch: null).Wall;

    /// <summary>
    /// An uninterrupted child run of <paramref name="args"/>: the bytes it had written over time (each change of its
    /// <c>wchar</c>, polled every <see cref="Poll"/>), when the first entry other than a lock file appeared under
    /// <paramref name="watch"/> (start-up before it, runtime and model load, writes nothing worth killing), and its wall time.
    /// </summary>
    public static WritingTrace Reference(string[] args, string? watch)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? firstWrite = null;
        var steps = new List<(TimeSpan At, long Bytes)>();
        using var child = new Child(args);
        int polls = 0;
        while (!child.Process.WaitForExit(Poll))
        {
            if (child.Written() is long bytes && bytes > (steps.Count == 0 ? 0 : steps[^1].Bytes)) steps.Add((clock.Elapsed, bytes)); // a counter: only grows (a reaped child reads 0)
            // The folder walk costs more than the counter: every 10th poll until something is there.
            if (firstWrite is null && watch is not null && polls++ % 10 == 0 && Written(watch)) firstWrite = clock.Elapsed;
        }
        var wall = clock.Elapsed;
        Assert.True(child.Process.ExitCode == 0, $"llmdistill {string.Join(' ', args)} ended with {child.Process.ExitCode}: {child.Error}");
        return new WritingTrace(steps, firstWrite ?? wall, wall);
    }

    static bool Written(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(e => !e.EndsWith(".lock", StringComparison.Ordinal));

    /// <summary>
    /// An uninterrupted run's progress: <paramref name="Steps"/> (from its start, the bytes written so far, at each
    /// change), when its first output appeared and when it ended.
    /// </summary>
    public sealed record WritingTrace(IReadOnlyList<(TimeSpan At, long Bytes)> Steps, TimeSpan FirstWrite, TimeSpan Wall)
    {
        /// <summary>When the reference wrote its last byte: after it only teardown runs, nothing worth a kill.</summary>
        public TimeSpan LastWrite => Steps.Count == 0 ? Wall : Steps[^1].At;

        /// <summary>
        /// The kill point for the reference moment from shortly before the first output to the last write, uniform for
        /// <paramref name="u"/> in [0, 1): the bytes written by then and the time since they were reached.
        /// </summary>
        public KillPoint At(double u)
        {
            var from = FirstWrite * 0.9 < LastWrite ? FirstWrite * 0.9 : TimeSpan.Zero;
            var moment = from + (LastWrite - from) * u;
            var step = Steps.LastOrDefault(s => s.At <= moment, (TimeSpan.Zero, 0));
            return new KillPoint(step.Bytes, step.At, moment - step.At, moment);
        }
    }

    /// <summary>Kill once <paramref name="Bytes"/> are written (the reference got there at <paramref name="ReachedAt"/>), <paramref name="Delay"/> later (scaled by the run's pace).</summary>
    public sealed record KillPoint(long Bytes, TimeSpan ReachedAt, TimeSpan Delay, TimeSpan ReferenceMoment)
    {
        public override string ToString() => $"after {Bytes} bytes + {Delay.TotalMilliseconds:F0} ms (reference: {ReferenceMoment.TotalSeconds:F2} s)";
    }

    /// <summary>
    /// For each of <paramref name="points"/> kill points drawn with <paramref name="seed"/> from <paramref name="trace"/>
    /// (one in each of as many equal slices of its writing time): a fresh folder, <paramref name="start"/>(folder)
    /// killed at that point, <paramref name="afterKill"/>(folder) (nothing half-written), <paramref name="rerun"/>(folder)
    /// to completion, <paramref name="afterRerun"/>(folder) (equal to the uninterrupted run). Logs and returns how many
    /// runs were killed mid-run; fails when fewer than half were (the campaign would have tested reruns, not kills).
    /// </summary>
    public int Run(string stage, int seed, int points, WritingTrace trace, Func<string, string[]> start, Func<string, string[]> rerun,
        Action<string> afterKill, Action<string> afterRerun)
    {
        var random = new Random(seed);
        int killed = 0;
        var clock = Stopwatch.StartNew();
        long total = trace.Steps.Count == 0 ? 0 : trace.Steps[^1].Bytes;
        Log($"{stage}: the uninterrupted run wrote {total} bytes in {trace.Steps.Count} steps, the first output at {trace.FirstWrite.TotalSeconds:F2} s, the last byte at {trace.LastWrite.TotalSeconds:F2} s, ended at {trace.Wall.TotalSeconds:F2} s");
        for (int index = 0; index < points; index++)
        {
            var point = trace.At((index + random.NextDouble()) / points); // one in each of `points` equal slices: few points still spread
            using var folder = new TempDirectory();
            var kill = KillAt(start(folder.Path), point);
            if (kill.Killed) killed++;
            string state = Describe(folder.Path);
            string what = kill.Killed
                ? $"killed at {kill.At.TotalSeconds:F2} s with {kill.Bytes} bytes written ({100.0 * kill.Bytes / Math.Max(1, total):F0}% of the reference's)"
                : "had ended before it (not mid-run)";
            Log($"{stage}: kill point {index + 1}/{points} {point}: {what}; left {state}");
            try
            {
                afterKill(folder.Path);
                Complete(rerun(folder.Path));
                afterRerun(folder.Path);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string failure = $"kill point {index + 1} (seed {seed}, {point}, left {state}): {e.Message}";
                Log($"{stage}: FAILED {failure}");
                throw new Xunit.Sdk.XunitException(failure);
            }
        }
        Log($"{stage}: {killed} of {points} kill points landed mid-run, {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(killed >= 1 && 2 * killed >= points, $"{stage}: only {killed} of {points} kill points landed mid-run; the others found the run ended");
        return killed;
    }

    /// <summary>What a kill point did: killed (when, with how many bytes written) or found the run ended.</summary>
    readonly record struct Kill(bool Killed, TimeSpan At, long Bytes);

    /// <summary>
    /// Starts the child, waits until it has written <see cref="KillPoint.Bytes"/>, then for <see cref="KillPoint.Delay"/>
    /// times its pace (its time to that count over the reference's, within [1/4, 4]) and sends SIGKILL.
    /// </summary>
    static Kill KillAt(string[] args, KillPoint point)
    {
        var clock = Stopwatch.StartNew();
        using var child = new Child(args);
        long bytes = 0;
        while ((bytes = child.Written() ?? bytes) < point.Bytes)
            if (child.Process.WaitForExit(Poll)) return new Kill(false, clock.Elapsed, bytes);
        double pace = point.ReachedAt > TimeSpan.FromMilliseconds(100) ? Math.Clamp(clock.Elapsed / point.ReachedAt, 0.25, 4) : 1;
        if (child.Process.WaitForExit(point.Delay * pace)) return new Kill(false, clock.Elapsed, bytes);
        bytes = child.Written() ?? bytes;
        child.Process.Kill(entireProcessTree: true); // SIGKILL on Linux
        var at = clock.Elapsed;
        child.Process.WaitForExit();
        return new Kill(true, at, bytes);
    }

    /// <summary>The files a killed run left, relative to the folder, for the log and failure messages.</summary>
    static string Describe(string folder)
    {
        var entries = Directory.GetFileSystemEntries(folder, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(folder, e)).Order().ToArray();
        return entries.Length == 0 ? "nothing" : string.Join(", ", entries.Take(12)) + (entries.Length > 12 ? $" (+{entries.Length - 12})" : "");
    }

    /// <summary>A child `llmdistill` whose output is drained as it comes (a full pipe would stall it and move every kill point).</summary>
    sealed class Child : IDisposable
    {
        readonly StringBuilder _error = new();
        readonly string _io;
        public Process Process { get; }
        public string Error { get { lock (_error) return _error.ToString(); } }

        public Child(string[] args)
        {
            Process = CliRun.Start(args);
            _io = $"/proc/{Process.Id}/io";
            Process.OutputDataReceived += (_, _) => { };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        /// <summary>Bytes the child has passed to write calls so far (files and pipes; `wchar`), or null once it is gone.</summary>
        public long? Written()
        {
            try
            {
                foreach (string line in File.ReadLines(_io))
                    if (line.StartsWith("wchar:", StringComparison.Ordinal)) return long.Parse(line.AsSpan(6));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            return null;
        }

        public void Dispose() => Process.Dispose();
    }

    /// <summary>Every file under <paramref name="folder"/> (relative path → bytes), for byte-for-byte comparisons of outputs.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder, Func<string, bool>? include = null) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Where(f => include?.Invoke(f) ?? true)
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f))), StringComparer.Ordinal);
}
