using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Crash safety of a writing stage: a real `llmdistill` child process is killed with SIGKILL at seeded random moments
/// (no flush, no cleanup, no finally), each killed folder is checked for half-written outputs, rerun to completion, and
/// compared with an uninterrupted run. The default run tries a few kill points per stage;
/// <c>LLMDISTILL_KILL_CAMPAIGN=full</c> tries <see cref="FullPoints"/>.
/// </summary>
public sealed class KillCampaign(ITestOutputHelper output)
{
    public const int FullPoints = 20;

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
    /// An uninterrupted child run of <paramref name="args"/>: its wall time, and when the first entry other than a lock
    /// file appeared under <paramref name="watch"/> (polled every 10 ms; the wall time when nothing appeared or no folder
    /// is watched). Kill points are drawn from that moment on: the start-up before it (runtime, model load) writes nothing.
    /// </summary>
    public static WritingSpan Reference(string[] args, string? watch)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? firstWrite = null;
        using var child = new Child(args);
        while (!child.Process.WaitForExit(10))
            if (firstWrite is null && watch is not null && Written(watch)) firstWrite = clock.Elapsed;
        var wall = clock.Elapsed;
        Assert.True(child.Process.ExitCode == 0, $"llmdistill {string.Join(' ', args)} ended with {child.Process.ExitCode}: {child.Error}");
        return new WritingSpan(firstWrite ?? wall, wall);
    }

    static bool Written(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(e => !e.EndsWith(".lock", StringComparison.Ordinal));

    /// <summary>When an uninterrupted run first wrote its output and when it ended, from its start.</summary>
    public sealed record WritingSpan(TimeSpan FirstWrite, TimeSpan Wall)
    {
        /// <summary>A moment from shortly before the first write to the end, uniform for <paramref name="u"/> in [0, 1).</summary>
        public TimeSpan At(double u) => FirstWrite * 0.9 + (Wall - FirstWrite * 0.9) * u;
    }

    /// <summary>
    /// For each of <paramref name="points"/> moments drawn with <paramref name="seed"/> from <paramref name="span"/> (one in each
    /// of as many equal slices):
    /// a fresh folder, <paramref name="start"/>(folder) killed at that moment, <paramref name="afterKill"/>(folder) (nothing
    /// half-written), <paramref name="rerun"/>(folder) to completion, <paramref name="afterRerun"/>(folder) (equal to the
    /// uninterrupted run). Returns how many runs were killed before they ended.
    /// </summary>
    public int Run(string stage, int seed, int points, WritingSpan span, Func<string, string[]> start, Func<string, string[]> rerun,
        Action<string> afterKill, Action<string> afterRerun)
    {
        var random = new Random(seed);
        int killed = 0;
        var clock = Stopwatch.StartNew();
        for (int point = 0; point < points; point++)
        {
            var moment = span.At((point + random.NextDouble()) / points); // one in each of `points` equal slices: few points still spread
            using var folder = new TempDirectory();
            bool wasKilled = KillAt(start(folder.Path), moment);
            if (wasKilled) killed++;
            string state = Describe(folder.Path);
            Log($"{stage}: kill point {point + 1}/{points} at {moment.TotalSeconds:F2} s: {(wasKilled ? "killed" : "had ended")}; left {state}");
            try
            {
                afterKill(folder.Path);
                Complete(rerun(folder.Path));
                afterRerun(folder.Path);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                string failure = $"kill point {point + 1} (seed {seed}, {moment.TotalSeconds:F2} s, left {state}): {e.Message}";
                Log($"{stage}: FAILED {failure}");
                throw new Xunit.Sdk.XunitException(failure);
            }
        }
        Log($"{stage}: {points} kill points from {span.FirstWrite.TotalSeconds * 0.9:F2} s to {span.Wall.TotalSeconds:F2} s (the uninterrupted run wrote first at {span.FirstWrite.TotalSeconds:F2} s), {killed} killed mid-run, {clock.Elapsed.TotalSeconds:F0} s");
        return killed;
    }

    /// <summary>Starts the child and sends SIGKILL after <paramref name="moment"/>; false when it had already ended.</summary>
    static bool KillAt(string[] args, TimeSpan moment)
    {
        using var child = new Child(args);
        if (child.Process.WaitForExit(moment)) return false;
        child.Process.Kill(entireProcessTree: true); // SIGKILL on Linux
        child.Process.WaitForExit();
        return true;
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
        public Process Process { get; }
        public string Error { get { lock (_error) return _error.ToString(); } }

        public Child(string[] args)
        {
            Process = CliRun.Start(args);
            Process.OutputDataReceived += (_, _) => { };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_error) _error.AppendLine(e.Data); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public void Dispose() => Process.Dispose();
    }

    /// <summary>Every file under <paramref name="folder"/> (relative path → bytes), for byte-for-byte comparisons of outputs.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder, Func<string, bool>? include = null) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Where(f => include?.Invoke(f) ?? true)
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f))), StringComparer.Ordinal);
}
