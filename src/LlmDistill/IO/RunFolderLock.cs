using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace LlmDistill.IO;

/// <summary>
/// One run per output: an advisory lock file holding the writer's pid, process start and command. A second run
/// pointed at the same output is refused at once, naming the holder; a lock left by a dead process (its pid gone,
/// or reused by a process that started later) is taken over. A folder that fills up as a stage runs holds its lock
/// inside (<see cref="Inside"/>); an output that appears whole at the end (eval's report folder, synthesize's file)
/// has it beside (<see cref="Beside"/>), since the folder must not exist before then.
/// </summary>
internal sealed class RunFolderLock : IDisposable
{
    public const string FileName = ".llmdistill.lock";

    readonly string? _createdFolder;
    readonly string _token;

    public string Path { get; }

    RunFolderLock(string path, string token, string? createdFolder)
    {
        Path = path;
        _token = token;
        _createdFolder = createdFolder;
    }

    /// <summary>The record written into a lock file; <see cref="StartTicks"/> is /proc/&lt;pid&gt;/stat's start time (clock ticks since boot, Linux).</summary>
    internal sealed record Holder(int Pid, long? StartTicks, DateTime Started, string Host, string Command, string Token);

    /// <summary>Locks <paramref name="folder"/> (created if missing) with <see cref="FileName"/> inside, or a shard's own lock name.</summary>
    public static RunFolderLock Inside(string folder, string command, string? shard = null)
    {
        string full = System.IO.Path.GetFullPath(folder);
        string? created = Directory.Exists(full) ? null : full;
        Directory.CreateDirectory(full);
        string name = shard is null ? FileName : $".llmdistill-{shard}.lock";
        return Take(System.IO.Path.Combine(full, name), full, command, created);
    }

    /// <summary>Locks an output file or a folder written whole at the end, with <c>.&lt;name&gt;.llmdistill.lock</c> beside it.</summary>
    public static RunFolderLock Beside(string output, string command)
    {
        string full = System.IO.Path.GetFullPath(output).TrimEnd(System.IO.Path.DirectorySeparatorChar);
        string parent = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        return Take(System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(full)}.llmdistill.lock"), full, command, createdFolder: null);
    }

    static RunFolderLock Take(string path, string output, string command, string? createdFolder)
    {
        var self = Current(command);
        // A few rounds: a stale lock is moved aside before ours is created, and another process may win that race.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            if (TryCreate(path, self)) return new RunFolderLock(path, self.Token, createdFolder);
            string? text = ReadSettled(path);
            if (text is null) continue; // released between our two looks
            var holder = Parse(text);
            if (holder is not null && IsAlive(holder))
                throw new IOException($"{output} is in use by another llmdistill run ({holder.Command}, pid {holder.Pid}" +
                    (holder.Host == self.Host ? "" : $" on {holder.Host}") +
                    $", started {holder.Started.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC); " +
                    $"wait for it to finish, or delete {path} if that run is gone.");
            TakeOverStale(path, text);
        }
        throw new IOException($"could not take the lock {path}: other runs keep taking it over; try again.");
    }

    static bool TryCreate(string path, Holder self)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
        try
        {
            JsonSerializer.Serialize(stream, self);
            stream.Flush(flushToDisk: true);
            stream.Dispose();
            return true;
        }
        catch
        {
            // Created but not written (a full disk): remove our empty lock and report the write's own error, rather than
            // taking the empty file for another run's stale lock and retrying.
            try { stream.Dispose(); } catch (IOException) { }
            File.Delete(path);
            throw;
        }
    }

    /// <summary>The lock's text, waiting briefly while it is empty (its writer has created it but not yet written); null when gone.</summary>
    static string? ReadSettled(string path)
    {
        for (int wait = 0; ; wait++)
        {
            string text;
            try { text = File.ReadAllText(path); }
            catch (FileNotFoundException) { return null; }
            if (Parse(text) is not null || wait == 10) return text;
            Thread.Sleep(50);
        }
    }

    /// <summary>Moves the stale lock aside under a unique name, so of two processes taking it over only one removes it.</summary>
    static void TakeOverStale(string path, string staleText)
    {
        string aside = $"{path}.stale-{Guid.NewGuid():N}";
        try { File.Move(path, aside); }
        catch (FileNotFoundException) { return; }
        if (File.ReadAllText(aside) == staleText)
        {
            File.Delete(aside);
            return;
        }
        // Another process took the lock over between our read and our move: put its lock back.
        try { File.Move(aside, path); }
        catch (IOException) { File.Delete(aside); }
    }

    internal static Holder? Parse(string text)
    {
        try
        {
            var holder = JsonSerializer.Deserialize<Holder>(text);
            return holder is { Pid: > 0, Host: not null, Command: not null, Token: not null } ? holder : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static Holder Current(string command)
    {
        using var process = Process.GetCurrentProcess();
        return new Holder(Environment.ProcessId, StartTicks(Environment.ProcessId), process.StartTime.ToUniversalTime(),
            Environment.MachineName, command, Guid.NewGuid().ToString("N"));
    }

    /// <summary>
    /// Whether the holder still runs: on another host we cannot tell, so it counts as running; here its pid must exist
    /// and, where /proc tells process start times, have started when the lock says (a reused pid has not).
    /// </summary>
    internal static bool IsAlive(Holder holder)
    {
        if (holder.Host != Environment.MachineName) return true;
        if (OperatingSystem.IsLinux())
            return StartTicks(holder.Pid) is long ticks && (holder.StartTicks is null || holder.StartTicks == ticks);
        try
        {
            using var process = Process.GetProcessById(holder.Pid);
            return Math.Abs((process.StartTime.ToUniversalTime() - holder.Started).TotalSeconds) < 2;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat (start time in clock ticks after boot); null when the process does not exist.</summary>
    internal static long? StartTicks(int pid)
    {
        string stat;
        try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks) ? ticks : null;
    }

    /// <summary>Removes the lock when it is still ours, and the folder <see cref="Inside"/> created when nothing else was written there.</summary>
    public void Dispose()
    {
        try
        {
            if (File.Exists(Path) && Parse(File.ReadAllText(Path))?.Token == _token) File.Delete(Path);
            if (_createdFolder is not null && Directory.Exists(_createdFolder) && !Directory.EnumerateFileSystemEntries(_createdFolder).Any())
                Directory.Delete(_createdFolder);
        }
        catch (IOException)
        {
            // Releasing is best effort: a lock left behind is stale once this process ends, and is taken over then.
        }
    }
}
