using System.Runtime.InteropServices;
using LLama.Native;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Native;

/// <summary>A ggml backend device found after initialization (CPU, CUDA GPU, ...).</summary>
public sealed record LlamaDevice(string Name, string Description, GgmlBackendDevType Type, ulong FreeMemory, ulong TotalMemory);

/// <summary>
/// Once-per-process initialization of llama.cpp: routes its log to <see cref="LlamaLog"/>, loads the library through
/// LLamaSharp (<see cref="LlamaLibrary.Load"/>; LLamaSharp calls llama_backend_init), logs which build was chosen at
/// information level and lists the compute devices. Thread-safe and idempotent; a failed attempt can be retried.
/// </summary>
public static class LlamaBackend
{
    private static readonly object Gate = new();
    private static volatile bool _initialized;
    private static IReadOnlyList<LlamaDevice> _devices = [];

    public static bool IsInitialized => _initialized;

    /// <summary>
    /// Initializes once. logger: where llama.cpp's log goes (null keeps the current one, NullLogger by default;
    /// a non-null logger replaces the current one even if already initialized). libraryPath: a libllama.so to use
    /// instead of LLamaSharp's (null = $LLMDISTILL_LLAMA_LIBRARY, else LLamaSharp's choice); ignored once initialized.
    /// </summary>
    public static void Initialize(ILogger? logger = null, string? libraryPath = null)
    {
        if (logger is not null)
            LlamaLog.Logger = logger;
        if (_initialized)
            return;
        lock (Gate)
        {
            if (_initialized)
                return;
            LlamaRuntimeInfo info = LlamaLibrary.Load(libraryPath);
            LlamaLog.Logger.LogInformation("llama.cpp runtime: {Runtime}", info);
            if (!info.IsExpectedCommit)
                LlamaLog.Logger.LogWarning(
                    "llama.cpp at {Path} is commit '{Commit}', not {Expected}: LLamaSharp 0.30.0's structs are that commit's, so another build may misbehave.",
                    info.LibraryPath, info.GgmlCommit, LlamaLibrary.ExpectedCommit);
            _devices = EnumerateDevices();
            if (_devices.Count == 0)
                throw new LlamaLibraryLoadException(
                    $"llama.cpp loaded from '{info.LibraryPath}' but found no compute device (its libggml-cpu.so did not register).", info.LibraryPath);
            _initialized = true;
        }
    }

    /// <summary>Replaces the logger llama.cpp messages go to (null = discard).</summary>
    public static void SetLogger(ILogger? logger) => LlamaLog.Logger = logger!;

    /// <summary>Devices registered by ggml (empty before <see cref="Initialize"/>).</summary>
    public static IReadOnlyList<LlamaDevice> Devices => _devices;

    /// <summary>The loaded library, its variant and build (initializes if needed).</summary>
    public static LlamaRuntimeInfo Runtime
    {
        get { EnsureInitialized(); return LlamaLibrary.Loaded!; }
    }

    /// <summary>llama_print_system_info(): enabled CPU features per backend.</summary>
    public static string SystemInfo
    {
        get
        {
            EnsureInitialized();
            return Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()) ?? string.Empty;
        }
    }

    /// <summary>llama_supports_gpu_offload().</summary>
    public static bool SupportsGpuOffload
    {
        get { EnsureInitialized(); return NativeApi.llama_supports_gpu_offload(); }
    }

    /// <summary>llama_supports_mmap().</summary>
    public static bool SupportsMmap
    {
        get { EnsureInitialized(); return NativeApi.llama_supports_mmap(); }
    }

    /// <summary>llama_supports_mlock().</summary>
    public static bool SupportsMlock
    {
        get { EnsureInitialized(); return NativeApi.llama_supports_mlock(); }
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
        nuint n = NativeApi.ggml_backend_dev_count();
        for (nuint i = 0; i < n; i++)
        {
            IntPtr dev = NativeApi.ggml_backend_dev_get(i);
            if (dev == IntPtr.Zero)
                continue;
            nuint free = 0, total = 0;
            GgmlNative.ggml_backend_dev_memory(dev, &free, &total);
            list.Add(new LlamaDevice(
                Marshal.PtrToStringUTF8(NativeApi.ggml_backend_dev_name(dev)) ?? "",
                Marshal.PtrToStringUTF8((IntPtr)GgmlNative.ggml_backend_dev_description(dev)) ?? "",
                GgmlNative.ggml_backend_dev_type(dev),
                free, total));
        }
        return list;
    }
}
