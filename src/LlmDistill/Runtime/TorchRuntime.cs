using System.Text;

namespace LlmDistill.Runtime;

/// <summary>
/// Makes TorchSharp's native library loadable on hosts whose libstdc++ predates GCC 13
/// (Debian 12, Ubuntu 22.04). libLibTorchSharp.so 0.107 asks for GLIBCXX_3.4.32 for a single symbol,
/// <c>_ZSt21ios_base_library_initv</c>, that it references without a relocation and never calls; marking
/// that one requirement weak in the copy the application loads lets the loader accept the host library.
/// The NuGet cache is never touched: only the file in the application folder is rewritten, atomically.
/// Call <see cref="EnsureLoadable"/> before the first use of <c>TorchSharp.torch</c>.
/// </summary>
public static class TorchRuntime
{
    public const string MissingVersion = "GLIBCXX_3.4.32";
    static readonly Lazy<string> Outcome = new(Prepare, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Patches the application's copy of libLibTorchSharp.so when needed; returns what it did, for logs.</summary>
    public static string EnsureLoadable() => Outcome.Value;

    static string Prepare()
    {
        if (!OperatingSystem.IsLinux()) return "not Linux: TorchSharp's library used as shipped";
        string? libstdcxx = FindHostLibStdCxx();
        if (libstdcxx is null) return "no libstdc++.so.6 found on this host: TorchSharp's library used as shipped";
        if (ContainsAscii(File.ReadAllBytes(libstdcxx), MissingVersion)) return $"{libstdcxx} provides {MissingVersion}: TorchSharp's library used as shipped";

        string? library = FindLibTorchSharp();
        if (library is null) return "libLibTorchSharp.so not found in the application folder: nothing to patch";
        return PatchCopy(library);
    }

    /// <summary>Marks the GLIBCXX_3.4.32 requirement of <paramref name="library"/> weak, rewriting the file atomically.</summary>
    public static string PatchCopy(string library)
    {
        byte[] bytes = File.ReadAllBytes(library);
        var requirement = ElfVersionNeeds.Read(bytes).FirstOrDefault(r => r.Version == MissingVersion);
        if (requirement.Version is null) return $"{library} does not ask for {MissingVersion}: nothing to patch";
        if ((requirement.Flags & ElfVersionNeeds.WeakFlag) != 0) return $"{library} already marks {MissingVersion} weak";

        ElfVersionNeeds.MarkWeak(bytes, MissingVersion);
        string temp = $"{library}.patch-{Environment.ProcessId}";
        try
        {
            File.WriteAllBytes(temp, bytes);
            // Rename replaces the directory entry: a process that mapped the old file keeps it, and a hard link
            // into a package cache is never modified.
            File.Move(temp, library, overwrite: true);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            File.Delete(temp);
            throw new InvalidOperationException(
                $"TorchSharp's native library {library} needs {MissingVersion}, which this host's libstdc++ lacks, and LlmDistill could not write its patched copy there ({e.Message}); make the application folder writable or install libstdc++ from GCC 13 or newer.", e);
        }
        return $"{library}: marked {MissingVersion} weak (host libstdc++ lacks it)";
    }

    static string? FindLibTorchSharp()
    {
        string baseDir = AppContext.BaseDirectory;
        string[] candidates =
        [
            Path.Combine(baseDir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"),
            Path.Combine(baseDir, "libLibTorchSharp.so"),
        ];
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>The libstdc++ this process uses (from /proc/self/maps), else the first one in the usual library folders.</summary>
    static string? FindHostLibStdCxx()
    {
        try
        {
            foreach (string line in File.ReadLines("/proc/self/maps"))
            {
                int slash = line.IndexOf('/');
                if (slash >= 0 && line.Contains("libstdc++.so")) return line[slash..].Trim();
            }
        }
        catch (IOException) { }
        string[] folders = ["/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/usr/lib/aarch64-linux-gnu"];
        return folders.Select(f => Path.Combine(f, "libstdc++.so.6")).FirstOrDefault(File.Exists);
    }

    static bool ContainsAscii(ReadOnlySpan<byte> haystack, string needle) =>
        haystack.IndexOf(Encoding.ASCII.GetBytes(needle + "\0")) >= 0;
}
