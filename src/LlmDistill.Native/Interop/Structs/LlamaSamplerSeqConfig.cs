using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_sampler_seq_config (llama.h). 16 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaSamplerSeqConfig
{
    public int seq_id;
    public void* sampler;   // struct llama_sampler*
}
