using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>Owns a <c>struct llama_model*</c>; released with <c>llama_model_free</c>.</summary>
public sealed class SafeLlamaModelHandle : SafeHandle
{
    /// <summary>Used by the P/Invoke marshaller for returned handles.</summary>
    public SafeLlamaModelHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_model_free(handle);
        return true;
    }
}
