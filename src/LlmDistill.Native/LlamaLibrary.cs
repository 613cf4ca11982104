using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace LlmDistill.Native;

/// <summary>
/// Finds and loads the llama.cpp native libraries from one folder: by default <c>&lt;AppContext.BaseDirectory&gt;/llama.cpp/</c>
/// (where the build copies the npm package @node-llama-cpp/linux-x64[-cuda]), overridable with the environment
/// variable <see cref="DirectoryEnvironmentVariable"/>. Installs a DllImport resolver on this assembly that maps
/// the names "llama", "ggml" and "ggml-base" to the (versioned) files there, e.g. libllama.v0.5.0.so.
/// </summary>
public static class LlamaLibrary
{
    /// <summary>Environment variable that, when set, names the folder holding libllama*.so.</summary>
    public const string DirectoryEnvironmentVariable = "LLMDISTILL_LLAMA_DIR";

    private static readonly object Gate = new();
    private static readonly Dictionary<string, IntPtr> Loaded = new(StringComparer.Ordinal);
    private static string? _directory;
    private static bool _resolverInstalled;

    /// <summary>The default folder: $LLMDISTILL_LLAMA_DIR if set, else &lt;AppContext.BaseDirectory&gt;/llama.cpp.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? env = Environment.GetEnvironmentVariable(DirectoryEnvironmentVariable);
            return Path.GetFullPath(!string.IsNullOrWhiteSpace(env) ? env : Path.Combine(AppContext.BaseDirectory, "llama.cpp"));
        }
    }

    /// <summary>The folder in use (set by <see cref="InstallResolver"/>), or <see cref="DefaultDirectory"/> before that.</summary>
    public static string Directory
    {
        get { lock (Gate) return _directory ?? DefaultDirectory; }
    }

    /// <summary>
    /// Installs the resolver once per process. directory null = <see cref="DefaultDirectory"/>. Calling again with a
    /// different folder after a library was loaded from the first one throws.
    /// </summary>
    public static void InstallResolver(string? directory = null)
    {
        string dir = Path.GetFullPath(directory ?? DefaultDirectory);
        lock (Gate)
        {
            if (_directory is not null && !string.Equals(_directory, dir, StringComparison.Ordinal) && Loaded.Count > 0)
                throw new InvalidOperationException(
                    $"llama.cpp libraries are already loaded from '{_directory}'; they cannot be reloaded from '{dir}' in the same process.");
            _directory = dir;
            if (_resolverInstalled)
                return;
            NativeLibrary.SetDllImportResolver(typeof(LlamaLibrary).Assembly, Resolve);
            _resolverInstalled = true;
        }
    }

    /// <summary>Loads (once) the library for a logical name ("llama", "ggml", "ggml-base"); throws <see cref="LlamaLibraryLoadException"/>.</summary>
    public static IntPtr Load(string libraryName)
    {
        lock (Gate)
        {
            if (Loaded.TryGetValue(libraryName, out IntPtr h))
                return h;
            string dir = _directory ?? DefaultDirectory;
            if (!System.IO.Directory.Exists(dir))
                throw DescribeFailure(dir, libraryName, null, null);
            string? file = FindFile(dir, libraryName);
            if (file is null)
                throw DescribeFailure(dir, libraryName, null, null);
            try
            {
                h = NativeLibrary.Load(file);
            }
            catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
            {
                throw DescribeFailure(dir, libraryName, file, e);
            }
            Loaded[libraryName] = h;
            return h;
        }
    }

    /// <summary>
    /// The file in dir for a logical name: lib&lt;name&gt;.so, lib&lt;name&gt;.v&lt;version&gt;.so or lib&lt;name&gt;.so.&lt;version&gt;
    /// (and .dylib/.dll equivalents); the highest-sorting name wins if there are several. Null if none.
    /// </summary>
    public static string? FindFile(string dir, string libraryName)
    {
        if (!System.IO.Directory.Exists(dir))
            return null;
        var pattern = new Regex(
            "^(lib)?" + Regex.Escape(libraryName) + @"(\.v[0-9][0-9.]*)?\.(so|dylib|dll)(\.[0-9][0-9.]*)?$",
            RegexOptions.CultureInvariant);
        return System.IO.Directory.EnumerateFiles(dir)
            .Where(f => pattern.IsMatch(Path.GetFileName(f)))
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName is LlamaNative.LibraryName or GgmlNative.LibraryName or GgmlNative.BaseLibraryName)
            return Load(libraryName);
        return IntPtr.Zero;
    }

    internal static LlamaLibraryLoadException DescribeFailure(string dir, string libraryName, string? file, Exception? inner)
    {
        var causes = new List<string>();
        bool cuda = System.IO.Directory.Exists(dir) && System.IO.Directory.EnumerateFiles(dir, "*cuda*").Any();
        if (!System.IO.Directory.Exists(dir))
        {
            causes.Add($"The folder does not exist. Build the solution (dotnet build) so that it fetches the npm package "
                + "@node-llama-cpp/linux-x64 (or @node-llama-cpp/linux-x64-cuda with -p:LlamaBackend=cuda) and copies its libraries "
                + $"to <output>/llama.cpp/, or set {DirectoryEnvironmentVariable} to a folder that holds libllama*.so.");
        }
        else if (file is null)
        {
            causes.Add($"The folder holds no lib{libraryName}*.so: the npm package was copied incompletely. Delete the cached "
                + "package under ~/.cache/llmdistill/npm (or $LLMDISTILL_CACHE/npm) and build again.");
        }
        else
        {
            causes.Add($"'{Path.GetFileName(file)}' exists but the loader refused it: {inner?.Message}");
            causes.Add("A library it depends on is missing from the same folder (libggml.v*.so, libggml-base.so; "
                + "they are found through RUNPATH $ORIGIN, so keep all files of the package together).");
            causes.Add("The C/C++ runtime is too old or the CPU/OS does not match: the prebuilt binaries are for linux-x64 "
                + "built on Ubuntu 22.04 (needs glibc >= 2.35 and a matching libstdc++).");
        }
        causes.Add(cuda
            ? "CUDA variant: the CUDA runtime libraries (libcudart.so.*, libcublas.so.*) or the NVIDIA driver (libcuda.so.1) "
              + "are not installed or not on the loader path; install them or build with -p:LlamaBackend=cpu."
            : "For the CUDA variant (-p:LlamaBackend=cuda) the CUDA runtime (libcudart, libcublas) and the NVIDIA driver must be installed.");
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64 || !OperatingSystem.IsLinux())
            causes.Add($"This process runs on {RuntimeInformation.OSDescription} {RuntimeInformation.ProcessArchitecture}; "
                + "the build only fetches linux-x64 binaries.");

        var sb = new StringBuilder();
        sb.Append("Could not load the llama.cpp library '").Append(libraryName).Append("' from folder '").Append(dir).Append("'.");
        sb.Append(" Likely causes:");
        for (int i = 0; i < causes.Count; i++)
            sb.Append('\n').Append(i + 1).Append(". ").Append(causes[i]);
        return new LlamaLibraryLoadException(sb.ToString(), dir, inner);
    }
}
