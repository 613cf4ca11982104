using System.Reflection;
using LlmDistill.Native;

namespace LlmDistill.Models;

/// <summary>Which llama.cpp build this process runs (what `llmdistill inspect --runtime` shows).</summary>
/// <param name="Binding">The .NET binding and its version, e.g. "LLamaSharp 0.30.0".</param>
/// <param name="Variant">avx512, avx2, avx, noavx, cuda12, vulkan, or custom ($LLMDISTILL_LLAMA_LIBRARY).</param>
/// <param name="LibraryPath">The libllama.so loaded.</param>
/// <param name="GgmlCommit">The build's commit (ggml_commit()).</param>
/// <param name="GgmlVersion">ggml's version.</param>
/// <param name="ExpectedCommit">True when the build is the commit LLamaSharp's structs were written for.</param>
/// <param name="Devices">Compute devices ggml registered.</param>
/// <param name="GpuOffload">llama_supports_gpu_offload().</param>
/// <param name="SystemInfo">llama_print_system_info(): CPU features per backend.</param>
public sealed record RuntimeSummary(
    string Binding, string Variant, string LibraryPath, string GgmlCommit, string GgmlVersion, bool ExpectedCommit,
    IReadOnlyList<LlamaDevice> Devices, bool GpuOffload, string SystemInfo)
{
    /// <summary>Loads llama.cpp (if not yet) and describes it.</summary>
    public static RuntimeSummary Load()
    {
        LlamaRuntimeInfo runtime = LlamaBackend.Runtime;
        var binding = typeof(LLama.Native.NativeApi).Assembly;
        string version = (binding.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?").Split('+')[0];
        return new RuntimeSummary($"{binding.GetName().Name} {version}", runtime.Variant, runtime.LibraryPath,
            runtime.GgmlCommit, runtime.GgmlVersion, runtime.IsExpectedCommit, LlamaBackend.Devices,
            LlamaBackend.SupportsGpuOffload, LlamaBackend.SystemInfo.Trim());
    }
}
