using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// Owns a <c>struct llama_sampler*</c> (normally a chain from <c>llama_sampler_chain_init</c>); released with
/// <c>llama_sampler_free</c>, which also frees the samplers added to the chain.
/// </summary>
public sealed class SafeLlamaSamplerHandle : SafeHandle
{
    /// <summary>Used by the P/Invoke marshaller for returned handles.</summary>
    public SafeLlamaSamplerHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        LlamaNative.llama_sampler_free(handle);
        return true;
    }
}
