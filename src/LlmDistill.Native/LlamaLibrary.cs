using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using LLama.Exceptions;
using LLama.Native;

namespace LlmDistill.Native;

/// <summary>What <see cref="LlamaLibrary.Load"/> loaded: the libllama file, its variant and the ggml build it carries.</summary>
/// <param name="LibraryPath">Full path of the libllama.so in use.</param>
/// <param name="Variant">LLamaSharp's folder name for it (avx512, avx2, avx, noavx, cuda12, vulkan) or "custom" for a
/// library named by <see cref="LlamaLibrary.LibraryEnvironmentVariable"/>.</param>
/// <param name="GgmlCommit">ggml_commit() of the loaded build, e.g. "815a2a591" (empty if the build does not say).</param>
/// <param name="GgmlVersion">ggml_version(), e.g. "0.18.0".</param>
public sealed record LlamaRuntimeInfo(string LibraryPath, string Variant, string GgmlCommit, string GgmlVersion)
{
    /// <summary>True when the build is the llama.cpp commit LLamaSharp 0.30.0's structs were written for.</summary>
    public bool IsExpectedCommit => GgmlCommit.StartsWith(LlamaLibrary.ExpectedCommit, StringComparison.OrdinalIgnoreCase);

    /// <inheritdoc/>
    public override string ToString() => $"{Variant} llama.cpp {GgmlCommit} (ggml {GgmlVersion}) from {LibraryPath}";
}

/// <summary>
/// Loads llama.cpp once per process through LLamaSharp's loader (which picks the best CPU variant of
/// LLamaSharp.Backend.Cpu, or CUDA 12 with LLamaSharp.Backend.Cuda12), then maps the names this assembly imports
/// ("llama", "ggml-base") to that same file and its sibling, so that there is one llama.cpp in the process, never two.
/// A user's own build of the same commit can replace LLamaSharp's with <see cref="LibraryEnvironmentVariable"/>.
/// </summary>
public static class LlamaLibrary
{
    /// <summary>Environment variable naming a libllama.so to load instead of LLamaSharp's prebuilt one (same commit).</summary>
    public const string LibraryEnvironmentVariable = "LLMDISTILL_LLAMA_LIBRARY";

    /// <summary>The llama.cpp commit LLamaSharp 0.30.0 ships and binds (its structs are that commit's).</summary>
    public const string ExpectedCommit = "815a2a59";

    private static readonly object Gate = new();
    private static LlamaRuntimeInfo? _info;
    // The files LLamaSharp loaded (dlopen of a loaded path returns its handle), for this assembly's imports.
    private static IntPtr _llamaHandle, _ggmlBaseHandle;
    private static readonly NativeLogConfig.LLamaLogCallback LogCallback = (level, message) => LlamaLog.Write((GgmlLogLevel)(int)level, message);

    /// <summary>What was loaded; null before <see cref="Load"/>.</summary>
    public static LlamaRuntimeInfo? Loaded
    {
        get { lock (Gate) return _info; }
    }

    /// <summary>
    /// Loads llama.cpp (once). libraryPath: a libllama.so to use instead of LLamaSharp's (null = the value of
    /// <see cref="LibraryEnvironmentVariable"/>, else LLamaSharp's choice). Throws <see cref="LlamaLibraryLoadException"/>.
    /// </summary>
    public static LlamaRuntimeInfo Load(string? libraryPath = null)
    {
        lock (Gate)
        {
            if (_info is not null)
                return _info;
            string? env = Environment.GetEnvironmentVariable(LibraryEnvironmentVariable);
            libraryPath ??= string.IsNullOrWhiteSpace(env) ? null : env;
            if (libraryPath is not null)
            {
                libraryPath = Path.GetFullPath(libraryPath);
                if (!File.Exists(libraryPath))
                    throw new LlamaLibraryLoadException(
                        $"The llama.cpp library '{libraryPath}' (from {LibraryEnvironmentVariable} or the caller) does not exist.", libraryPath);
            }
            if (!NativeLibraryConfig.LLama.LibraryHasLoaded)
            {
                if (libraryPath is not null)
                    NativeLibraryConfig.LLama.WithLibrary(libraryPath);
                NativeLibraryConfig.All.WithLogCallback(LogCallback);
            }
            try
            {
                NativeApi.llama_empty_call();
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or RuntimeError or BadImageFormatException)
            {
                throw DescribeFailure(libraryPath, e);
            }
            NativeLogConfig.llama_log_set(LogCallback);

            string path = FindLoadedLibrary(libraryPath is null ? "libllama.so" : Path.GetFileName(libraryPath));
            if (libraryPath is not null && !string.Equals(path, libraryPath, StringComparison.Ordinal))
                throw new LlamaLibraryLoadException(
                    $"llama.cpp was already loaded from '{path}' before '{libraryPath}' was asked for; set {LibraryEnvironmentVariable} before the first model is loaded.", path);
            string directory = Path.GetDirectoryName(path)!;
            _llamaHandle = NativeLibrary.Load(path);
            _ggmlBaseHandle = NativeLibrary.Load(Path.Combine(directory, "libggml-base.so"));
            NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, Resolve);
            string variant = libraryPath is not null ? "custom" : Path.GetFileName(directory);
            _info = new LlamaRuntimeInfo(path, variant, GgmlBuild(commit: true), GgmlBuild(commit: false));
            return _info;
        }
    }

    /// <summary>
    /// The one mapped file named fileName in this process (/proc/self/maps). Two different files of that name mean two
    /// llama.cpp builds were loaded, which this project never allows.
    /// </summary>
    internal static string FindLoadedLibrary(string fileName)
    {
        var paths = LoadedFiles().Where(p => Path.GetFileName(p) == fileName).Distinct(StringComparer.Ordinal).ToList();
        return paths.Count switch
        {
            1 => paths[0],
            0 => throw new LlamaLibraryLoadException(
                $"LLamaSharp reported llama.cpp loaded, but no '{fileName}' is mapped into this process.", fileName),
            _ => throw new LlamaLibraryLoadException(
                $"Two llama.cpp libraries are loaded in this process ({string.Join(", ", paths)}); only one may be.", paths[0]),
        };
    }

    /// <summary>Every file mapped into this process (Linux: /proc/self/maps).</summary>
    internal static IEnumerable<string> LoadedFiles()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash > 0)
                yield return line[slash..].TrimEnd();
        }
    }

    private static unsafe string GgmlBuild(bool commit)
    {
        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)(commit ? GgmlNative.ggml_commit() : GgmlNative.ggml_version())) ?? "";
        }
        catch (EntryPointNotFoundException)
        {
            return ""; // a user's build older than ggml_commit()
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) => libraryName switch
    {
        LlamaNative.LibraryName => _llamaHandle,
        GgmlNative.BaseLibraryName => _ggmlBaseHandle,
        _ => IntPtr.Zero,
    };

    internal static LlamaLibraryLoadException DescribeFailure(string? libraryPath, Exception inner)
    {
        var causes = new List<string>();
        if (libraryPath is not null)
        {
            causes.Add($"'{libraryPath}' or a library it needs (libggml.so, libggml-base.so, libggml-cpu.so, found through its RUNPATH) "
                + "failed to load; keep all files of the build together.");
            causes.Add($"It is not a llama.cpp shared library of commit {ExpectedCommit} built for this OS and CPU.");
        }
        else
        {
            causes.Add("No LLamaSharp backend's libraries are beside the app: an app that uses LlmDistill as a package must "
                + "reference LLamaSharp.Backend.Cpu (or LLamaSharp.Backend.Cuda12) 0.30.0 itself; in this repository, run dotnet build again.");
            causes.Add("The C/C++ runtime is too old: LLamaSharp's linux-x64 libraries need glibc >= 2.34, GLIBCXX 3.4.29 and libgomp1.");
            causes.Add("With the CUDA 12 backend: the CUDA runtime (libcudart, libcublas) or the NVIDIA driver is missing.");
        }
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
            causes.Add($"This process runs on {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}; LlmDistill is built and tested on linux-x64 only.");
        var sb = new StringBuilder("Could not load llama.cpp through LLamaSharp");
        sb.Append(libraryPath is null ? "." : $" from '{libraryPath}'.");
        sb.Append(" Likely causes:");
        for (int i = 0; i < causes.Count; i++)
            sb.Append('\n').Append(i + 1).Append(". ").Append(causes[i]);
        sb.Append("\nLLamaSharp said: ").Append((inner as TypeInitializationException)?.InnerException?.Message ?? inner.Message);
        return new LlamaLibraryLoadException(sb.ToString(), libraryPath ?? "", inner);
    }
}
