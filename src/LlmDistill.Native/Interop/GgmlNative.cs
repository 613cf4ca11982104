using LlmDistill.Gguf;
using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// The few ggml functions the binding needs: backend plug-in loading (libggml) and device queries (libggml-base).
/// Device handles (ggml_backend_dev_t) are owned by ggml's registry and live for the whole process.
/// </summary>
public static unsafe partial class GgmlNative
{
    /// <summary>Library name the resolver maps to libggml*.so (the registry; not ggml-base, not the plug-ins).</summary>
    public const string LibraryName = "ggml";

    /// <summary>Library name the resolver maps to libggml-base.so.</summary>
    public const string BaseLibraryName = "ggml-base";

    /// <summary>Loads every backend plug-in (libggml-cpu-*.so, libggml-cuda.so, ...) found in dirPath; picks the best CPU variant.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial void ggml_backend_load_all_from_path(string? dirPath);

    [LibraryImport(LibraryName)] public static partial nuint ggml_backend_reg_count();
    [LibraryImport(LibraryName)] public static partial IntPtr ggml_backend_reg_get(nuint index);
    [LibraryImport(LibraryName)] public static partial nuint ggml_backend_dev_count();
    [LibraryImport(LibraryName)] public static partial IntPtr ggml_backend_dev_get(nuint index);

    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_backend_reg_name(IntPtr reg);
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_backend_dev_name(IntPtr device);
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_backend_dev_description(IntPtr device);
    [LibraryImport(BaseLibraryName)] public static partial GgmlBackendDevType ggml_backend_dev_type(IntPtr device);
    [LibraryImport(BaseLibraryName)] public static partial void ggml_backend_dev_memory(IntPtr device, nuint* free, nuint* total);
    [LibraryImport(BaseLibraryName)] public static partial byte* ggml_type_name(GgmlType type);
}
