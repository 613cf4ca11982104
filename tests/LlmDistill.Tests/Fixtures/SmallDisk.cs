using System.Diagnostics;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// A tmpfs of a given size mounted on a fresh temp folder, so a stage can run out of space for real (ENOSPC).
/// Needs root (or CAP_SYS_ADMIN); <see cref="SmallDiskFactAttribute"/> skips the test where mounting is not allowed.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    readonly TempDirectory _folder = new();

    public string Path => _folder.Path;

    public SmallDisk(long bytes) => Mount("mount", "-t", "tmpfs", "-o", $"size={bytes}", "tmpfs", Path);

    /// <summary>Grows (or shrinks) the disk in place, keeping its files.</summary>
    public void Resize(long bytes) => Mount("mount", "-o", $"remount,size={bytes}", Path);

    /// <summary>Remounts the disk read-only (root writes through chmod 555, not through a read-only mount).</summary>
    public void MakeReadOnly() => Mount("mount", "-o", "remount,ro", Path);

    /// <summary>Fills the disk with one file so that about <paramref name="free"/> bytes (whole 4 KiB pages) stay free.</summary>
    public void Fill(long free, string name = "filler")
    {
        long bytes = new DriveInfo(Path).AvailableFreeSpace - free;
        if (bytes <= 0) return;
        using var filler = new FileStream(System.IO.Path.Combine(Path, name), FileMode.Create);
        filler.Write(new byte[bytes]);
    }

    public void Dispose()
    {
        Mount("umount", Path);
        _folder.Dispose();
    }

    static void Mount(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {error.Trim()}");
    }

    /// <summary>Whether this process may mount a tmpfs (tried once on a probe folder).</summary>
    public static bool CanMount { get; } = Probe();

    static bool Probe()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            using var probe = new SmallDisk(1 << 16);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>A fact that mounts a small tmpfs: skipped, with the reason, where this process may not mount one.</summary>
public sealed class SmallDiskFactAttribute : FactAttribute
{
    public SmallDiskFactAttribute()
    {
        if (!SmallDisk.CanMount) Skip = "skipped: mounting a tmpfs is not allowed here (run as root to test a full disk)";
    }
}
