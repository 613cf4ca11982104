using LlmDistill.Gguf;
using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// The ggml-base functions LLamaSharp does not expose: device details and the build's version and commit.
/// Resolved against the libggml-base.so beside the libllama that LLamaSharp loaded. Device handles
/// (ggml_backend_dev_t, from LLamaSharp's <c>NativeApi.ggml_backend_dev_get</c>) live for the whole process.
/// </summary>
internal static unsafe partial class GgmlNative
{
    /// <summary>Library name the resolver maps to libggml-base.so.</summary>
    public const string BaseLibraryName = "ggml-base";

    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_backend_dev_description(IntPtr device);
    [LibraryImport(BaseLibraryName)] public static partial GgmlBackendDevType ggml_backend_dev_type(IntPtr device);
    [LibraryImport(BaseLibraryName)] public static partial void ggml_backend_dev_memory(IntPtr device, nuint* free, nuint* total);
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_type_name(GgmlType type);
    /// <summary>The git commit ggml was built from, e.g. "815a2a591".</summary>
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_commit();
    /// <summary>ggml's version, e.g. "0.18.0".</summary>
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_version();
}
