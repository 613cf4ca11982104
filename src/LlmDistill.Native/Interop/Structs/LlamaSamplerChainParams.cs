using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_sampler_chain_params (llama.h). 1 byte.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaSamplerChainParams
{
    public bool no_perf;
}
