using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Native;

/// <summary>A ggml backend device found after initialization (CPU, CUDA GPU, ...).</summary>
public sealed record LlamaDevice(string Name, string Description, GgmlBackendDevType Type, ulong FreeMemory, ulong TotalMemory);

/// <summary>
/// Once-per-process initialization of llama.cpp: installs the library resolver, routes the native log to
/// <see cref="LlamaLog"/>, loads the ggml backend plug-ins from the llama.cpp folder
/// (ggml_backend_load_all_from_path, which must precede llama_backend_init or no device is found), then calls
/// llama_backend_init. Thread-safe and idempotent; a failed attempt can be retried.
/// </summary>
public static class LlamaBackend
{
    private static readonly object Gate = new();
    private static volatile bool _initialized;
    private static IReadOnlyList<LlamaDevice> _devices = [];

    public static bool IsInitialized => _initialized;

    /// <summary>
    /// Initializes once. logger: where llama.cpp's log goes (null keeps the current one, NullLogger by default;
    /// a non-null logger replaces the current one even if already initialized). libraryDirectory: folder with
    /// libllama*.so (null = <see cref="LlamaLibrary.DefaultDirectory"/>); ignored once initialized.
    /// </summary>
    public static unsafe void Initialize(ILogger? logger = null, string? libraryDirectory = null)
    {
        if (logger is not null)
            LlamaLog.Logger = logger;
        if (_initialized)
            return;
        lock (Gate)
        {
            if (_initialized)
                return;
            LlamaLibrary.InstallResolver(libraryDirectory);
            string dir = LlamaLibrary.Directory;
            LlamaLibrary.Load(GgmlNative.BaseLibraryName);
            LlamaLibrary.Load(GgmlNative.LibraryName);
            LlamaLibrary.Load(LlamaNative.LibraryName);

            LlamaNative.llama_log_set(&LlamaLog.OnNativeLog, null);
            GgmlNative.ggml_backend_load_all_from_path(dir);
            LlamaNative.llama_backend_init();

            _devices = EnumerateDevices();
            if (_devices.Count == 0)
            {
                throw new LlamaLibraryLoadException(
                    $"llama.cpp loaded from '{dir}' but found no compute device. Likely causes:\n"
                    + "1. No libggml-cpu-*.so plug-in in that folder suits this CPU (or the plug-ins are missing): "
                    + "rebuild so the complete npm package @node-llama-cpp/linux-x64 is copied.\n"
                    + "2. The plug-ins failed to load (see the llama.cpp log at debug level: pass a logger to LlamaBackend.Initialize).",
                    dir);
            }
            _initialized = true;
        }
    }

    /// <summary>Replaces the logger llama.cpp messages go to (null = discard).</summary>
    public static void SetLogger(ILogger? logger) => LlamaLog.Logger = logger!;

    /// <summary>Devices registered by ggml (empty before <see cref="Initialize"/>).</summary>
    public static IReadOnlyList<LlamaDevice> Devices => _devices;

    /// <summary>The folder the native libraries are loaded from.</summary>
    public static string LibraryDirectory => LlamaLibrary.Directory;

    /// <summary>llama_print_system_info(): enabled CPU features per backend.</summary>
    public static unsafe string SystemInfo
    {
        get
        {
            EnsureInitialized();
            return Marshal.PtrToStringUTF8((IntPtr)LlamaNative.llama_print_system_info()) ?? string.Empty;
        }
    }

    /// <summary>llama_supports_gpu_offload().</summary>
    public static bool SupportsGpuOffload
    {
        get { EnsureInitialized(); return LlamaNative.llama_supports_gpu_offload(); }
    }

    /// <summary>llama_supports_mmap().</summary>
    public static bool SupportsMmap
    {
        get { EnsureInitialized(); return LlamaNative.llama_supports_mmap(); }
    }

    /// <summary>llama_supports_mlock().</summary>
    public static bool SupportsMlock
    {
        get { EnsureInitialized(); return LlamaNative.llama_supports_mlock(); }
    }

    /// <summary>Initializes with defaults if nobody did yet.</summary>
    public static void EnsureInitialized()
    {
        if (!_initialized)
            Initialize();
    }

    private static unsafe IReadOnlyList<LlamaDevice> EnumerateDevices()
    {
        var list = new List<LlamaDevice>();
        nuint n = GgmlNative.ggml_backend_dev_count();
        for (nuint i = 0; i < n; i++)
        {
            IntPtr dev = GgmlNative.ggml_backend_dev_get(i);
            if (dev == IntPtr.Zero)
                continue;
            nuint free = 0, total = 0;
            GgmlNative.ggml_backend_dev_memory(dev, &free, &total);
            list.Add(new LlamaDevice(
                Marshal.PtrToStringUTF8((IntPtr)GgmlNative.ggml_backend_dev_name(dev)) ?? "",
                Marshal.PtrToStringUTF8((IntPtr)GgmlNative.ggml_backend_dev_description(dev)) ?? "",
                GgmlNative.ggml_backend_dev_type(dev),
                free, total));
        }
        return list;
    }
}
