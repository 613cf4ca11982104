using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// Owns a <c>struct llama_context*</c>; released with <c>llama_free</c>. Holds a reference on its model handle
/// (DangerousAddRef) so the model cannot be freed before the context; that reference is released after llama_free.
/// </summary>
public sealed class SafeLlamaContextHandle : SafeHandle
{
    private SafeLlamaModelHandle? _model;

    /// <summary>For the P/Invoke marshaller only; a handle made this way holds no model reference.</summary>
    public SafeLlamaContextHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>The model this context was created from (null for a marshaller-made handle).</summary>
    public SafeLlamaModelHandle? Model => _model;

    /// <summary>
    /// Calls <c>llama_init_from_model</c>. Returns an invalid handle (check <see cref="IsInvalid"/>) when llama.cpp
    /// returns NULL; the model reference is then not kept.
    /// </summary>
    public static SafeLlamaContextHandle Create(SafeLlamaModelHandle model, LlamaContextParams parameters)
    {
        ArgumentNullException.ThrowIfNull(model);
        var result = new SafeLlamaContextHandle();
        bool added = false;
        model.DangerousAddRef(ref added);
        IntPtr ctx = IntPtr.Zero;
        try
        {
            ctx = LlamaNative.llama_init_from_model(model.DangerousGetHandle(), parameters);
        }
        finally
        {
            if (ctx == IntPtr.Zero)
                model.DangerousRelease();
        }
        if (ctx != IntPtr.Zero)
        {
            result._model = model;
            result.SetHandle(ctx);
        }
        return result;
    }

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_free(handle);
        _model?.DangerousRelease();
        _model = null;
        return true;
    }
}
