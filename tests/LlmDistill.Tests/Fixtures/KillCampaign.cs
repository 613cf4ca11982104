using System.Diagnostics;
using System.Text;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Crash safety of a writing stage: a real `llmdistill` child process is killed with SIGKILL at seeded points of its
/// progress (no flush, no cleanup, no finally), each killed folder is checked for half-written outputs, rerun to
/// completion, and compared with an uninterrupted run. A kill point is read off an uninterrupted reference run: the
/// bytes the child had written by a drawn moment (its <c>wchar</c> in /proc/&lt;pid&gt;/io: files and pipes, all
/// threads) and the CPU time it spent since it reached that count (utime + stime in /proc/&lt;pid&gt;/stat, all
/// threads), the seeded delay inside a phase that writes nothing (answering questions, a training step). Both measure
/// work done, not time passed, so a busier or quieter machine moves the kill with the run instead of past its end.
/// The default run tries one kill point per stage; <c>LLMDISTILL_KILL_CAMPAIGN=full</c> tries <see cref="FullPoints"/>.
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
    /// An uninterrupted child run of <paramref name="args"/>: its progress over time (each change of the bytes it had
    /// written or the CPU time it had spent, polled every <see cref="Poll"/>), when the first entry other than a lock
    /// file appeared under <paramref name="watch"/> (start-up before it, runtime and model load, writes nothing worth
    /// killing), and its wall time.
    /// </summary>
    public static WritingTrace Reference(string[] args, string? watch)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan? firstWrite = null;
        var steps = new List<Progress>();
        using var child = new Child(args);
        int polls = 0;
        while (!child.Process.WaitForExit(Poll))
        {
            // Both are counters: they only grow (a child that has just ended reads as gone).
            if (child.Read() is { } now && (steps.Count == 0 || now.Bytes > steps[^1].Bytes || now.Cpu > steps[^1].Cpu)) steps.Add(now);
            // The folder walk costs more than the counters: every 10th poll until something is there.
            if (firstWrite is null && watch is not null && polls++ % 10 == 0 && Written(watch)) firstWrite = clock.Elapsed;
        }
        var wall = clock.Elapsed;
        Assert.True(child.Process.ExitCode == 0, $"llmdistill {string.Join(' ', args)} ended with {child.Process.ExitCode}: {child.Error}");
        return new WritingTrace(steps, firstWrite ?? wall, wall);
    }

    static bool Written(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Any(e => !e.EndsWith(".lock", StringComparison.Ordinal));

    /// <summary>A child's progress at <paramref name="At"/> from its start: bytes passed to write calls, CPU time of all its threads.</summary>
    public readonly record struct Progress(TimeSpan At, long Bytes, TimeSpan Cpu);

    /// <summary>An uninterrupted run's progress (<paramref name="Steps"/>, at each change), when its first output appeared and when it ended.</summary>
    public sealed record WritingTrace(IReadOnlyList<Progress> Steps, TimeSpan FirstWrite, TimeSpan Wall)
    {
        public long Bytes => Steps.Count == 0 ? 0 : Steps[^1].Bytes;

        /// <summary>When the reference wrote its last byte: after it only teardown runs, nothing worth a kill.</summary>
        public TimeSpan LastWrite => Steps.FirstOrDefault(s => s.Bytes == Bytes, new(Wall, 0, default)).At;

        /// <summary>Where kill points start: shortly before the first output (start-up before it writes nothing worth a kill).</summary>
        TimeSpan From => FirstWrite * 0.9 < LastWrite ? FirstWrite * 0.9 : TimeSpan.Zero;

        /// <summary>
        /// The kill point when <paramref name="u"/> in [0, 1) of the bytes written from shortly before the first output
        /// to the last write are written: kills inside the writing itself (a part, a checkpoint, a report half on disk),
        /// where time-drawn points seldom land because the writes are short.
        /// </summary>
        public KillPoint AtBytes(double u)
        {
            long start = Steps.LastOrDefault(s => s.At <= From).Bytes;
            // Up to 95% of the way: another run's total may fall a few bytes short (a pid or a time printed shorter).
            long bytes = start + 1 + (long)((Bytes - start) * 0.95 * u);
            return new KillPoint(bytes, TimeSpan.Zero, Steps.FirstOrDefault(s => s.Bytes >= bytes).At);
        }

        /// <summary>
        /// The kill point for the reference moment from shortly before the first output to the last write, uniform for
        /// <paramref name="u"/> in [0, 1): the bytes written by then, and the CPU time spent between reaching them and the moment.
        /// </summary>
        public KillPoint At(double u)
        {
            var moment = From + (LastWrite - From) * u;
            var now = Steps.LastOrDefault(s => s.At <= moment);
            long before = Steps.LastOrDefault(s => s.Bytes < now.Bytes).Bytes;
            // Halfway into the write that reached `now`: another run's count differs by a few bytes (a pid or a time
            // printed with one digit fewer), and waiting for the exact count would wait for the next write instead.
            long bytes = now.Bytes - (now.Bytes - before) / 2;
            var reached = Steps.FirstOrDefault(s => s.Bytes >= bytes);
            return new KillPoint(bytes, now.Cpu - reached.Cpu, moment);
        }
    }

    /// <summary>Kill once <paramref name="Bytes"/> are written and <paramref name="CpuAfter"/> more CPU time is spent (the reference's <paramref name="Moment"/>).</summary>
    public sealed record KillPoint(long Bytes, TimeSpan CpuAfter, TimeSpan Moment)
    {
        public override string ToString() => $"after {Bytes} bytes + {CpuAfter.TotalSeconds:F2} s of CPU (the reference's {Moment.TotalSeconds:F2} s)";
    }

    /// <summary>
    /// For each of <paramref name="points"/> kill points drawn with <paramref name="seed"/> from <paramref name="trace"/>
    /// (alternately by bytes written and by time, see <see cref="WritingTrace.AtBytes"/> and <see cref="WritingTrace.At"/>): a fresh folder, <paramref name="start"/>(folder)
    /// killed at that point, <paramref name="afterKill"/>(folder) (nothing half-written), <paramref name="rerun"/>(folder)
    /// to completion, <paramref name="afterRerun"/>(folder) (equal to the uninterrupted run). Logs and returns how many
    /// runs were killed mid-run; fails when fewer than half were (the campaign would have tested reruns, not kills).
    /// </summary>
    /// <remarks>
    /// <paramref name="retries"/>: how many times a point whose rerun fails is tried again, from a fresh folder, before the
    /// campaign fails (each retry logged). Only for a stage whose uninterrupted runs themselves differ now and then: CPU
    /// training, where about one process in 20 computes other last bits (see README, "Reliability"); a resume bug fails
    /// every try.
    /// </remarks>
    public int Run(string stage, int seed, int points, WritingTrace trace, Func<string, string[]> start, Func<string, string[]> rerun,
        Action<string> afterKill, Action<string> afterRerun, int retries = 0)
    {
        var random = new Random(seed);
        int killed = 0;
        var clock = Stopwatch.StartNew();
        long total = trace.Bytes;
        Log($"{stage}: the uninterrupted run wrote {total} bytes and spent {(trace.Steps.Count == 0 ? 0 : trace.Steps[^1].Cpu.TotalSeconds):F1} s of CPU, the first output at {trace.FirstWrite.TotalSeconds:F2} s, the last byte at {trace.LastWrite.TotalSeconds:F2} s, ended at {trace.Wall.TotalSeconds:F2} s");
        for (int index = 0; index < points; index++)
        {
            // Even points by bytes written, odd ones by time (long phases that write nothing: answering, a training
            // step); each kind one in each of its equal slices, so that few points still spread.
            int kinds = index % 2 == 0 ? (points + 1) / 2 : points / 2;
            double u = (index / 2 + random.NextDouble()) / kinds;
            var point = index % 2 == 0 ? trace.AtBytes(u) : trace.At(u);
            for (int attempt = 0; ; attempt++)
            {
                using var folder = new TempDirectory();
                var kill = KillAt(start(folder.Path), point);
                if (kill.Killed && attempt == 0) killed++;
                string state = Describe(folder.Path);
                string what = kill.Killed
                    ? $"killed at {kill.At.TotalSeconds:F2} s with {kill.Bytes} bytes written ({100.0 * kill.Bytes / Math.Max(1, total):F0}% of the reference's)"
                    : "had ended before it (not mid-run)";
                Log($"{stage}: kill point {index + 1}/{points}{(attempt > 0 ? $" (try {attempt + 1})" : "")} {point}: {what}; left {state}");
                try
                {
                    afterKill(folder.Path);
                    Complete(rerun(folder.Path));
                    afterRerun(folder.Path);
                    break;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    string failure = $"kill point {index + 1} (seed {seed}, {point}, left {state}): {e.Message}";
                    if (attempt < retries)
                    {
                        Log($"{stage}: {failure}; trying the point again");
                        continue;
                    }
                    Log($"{stage}: FAILED {failure}");
                    throw new Xunit.Sdk.XunitException(failure);
                }
            }
        }
        Log($"{stage}: {killed} of {points} kill points landed mid-run, {clock.Elapsed.TotalSeconds:F0} s");
        Assert.True(killed >= 1 && 2 * killed >= points, $"{stage}: only {killed} of {points} kill points landed mid-run; the others found the run ended");
        return killed;
    }

    /// <summary>What a kill point did: killed (when, with how many bytes written) or found the run ended.</summary>
    readonly record struct Kill(bool Killed, TimeSpan At, long Bytes);

    /// <summary>Starts the child, waits until it has written <see cref="KillPoint.Bytes"/> and then spent <see cref="KillPoint.CpuAfter"/>, and sends SIGKILL.</summary>
    static Kill KillAt(string[] args, KillPoint point)
    {
        var clock = Stopwatch.StartNew();
        using var child = new Child(args);
        TimeSpan? cpuAtBytes = null;
        var last = new Progress(TimeSpan.Zero, 0, TimeSpan.Zero);
        while (!child.Process.WaitForExit(Poll))
        {
            if (child.Read() is not { } now) continue;
            last = now;
            if (now.Bytes < point.Bytes) continue;
            cpuAtBytes ??= now.Cpu;
            if (now.Cpu - cpuAtBytes < point.CpuAfter) continue;
            child.Process.Kill(entireProcessTree: true); // SIGKILL on Linux
            child.Process.WaitForExit();
            return new Kill(true, now.At, now.Bytes);
        }
        return new Kill(false, clock.Elapsed, last.Bytes);
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
        readonly Stopwatch _clock = Stopwatch.StartNew();
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

        /// <summary>Bytes the child has passed to write calls so far (`wchar`: files and pipes) and its CPU time, or null once it is gone.</summary>
        public Progress? Read()
        {
            try
            {
                long bytes = -1;
                foreach (string line in File.ReadLines($"/proc/{Process.Id}/io"))
                    if (line.StartsWith("wchar:", StringComparison.Ordinal)) bytes = long.Parse(line.AsSpan(6));
                // stat fields after the command's closing parenthesis: state is field 3, utime 14, stime 15 (clock ticks, 1/100 s).
                string[] stat = File.ReadAllText($"/proc/{Process.Id}/stat").Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var cpu = TimeSpan.FromSeconds((long.Parse(stat[11]) + long.Parse(stat[12])) / 100.0);
                return bytes <= 0 || stat[0] is "Z" or "X" ? null : new Progress(_clock.Elapsed, bytes, cpu);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
        }

        public void Dispose() => Process.Dispose();
    }

    /// <summary>
    /// The outputs uninterrupted runs agree on, <paramref name="reference"/> already run: one more run, and a third when
    /// the two differ (a stage that trains on CPU computes other last bits in about one process of 20, see README,
    /// "Reliability"); fails when all three differ.
    /// </summary>
    public static SortedDictionary<string, byte[]> AgreedOutputs(string reference, Func<string, string[]> start, Func<string, SortedDictionary<string, byte[]>> outputs)
    {
        var first = outputs(reference);
        var runs = new List<SortedDictionary<string, byte[]>> { first };
        for (int i = 2; i <= 3; i++)
        {
            string folder = $"{reference}-{i}";
            Directory.CreateDirectory(folder);
            Complete(start(folder));
            var next = outputs(folder);
            if (runs.FirstOrDefault(r => SameFiles(r, next)) is { } agreed) return agreed;
            runs.Add(next);
        }
        throw new Xunit.Sdk.XunitException("three uninterrupted runs gave three different outputs");
    }

    public static bool SameFiles(SortedDictionary<string, byte[]> a, SortedDictionary<string, byte[]> b) =>
        a.Keys.SequenceEqual(b.Keys) && a.All(file => file.Value.AsSpan().SequenceEqual(b[file.Key]));

    /// <summary>Every file under <paramref name="folder"/> (relative path → bytes), for byte-for-byte comparisons of outputs.</summary>
    public static SortedDictionary<string, byte[]> Files(string folder, Func<string, bool>? include = null) =>
        new(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(folder, f)).Where(f => include?.Invoke(f) ?? true)
            .ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(folder, f))), StringComparer.Ordinal);
}
