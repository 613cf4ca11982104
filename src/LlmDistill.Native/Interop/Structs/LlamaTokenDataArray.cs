using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_token_data_array (llama.h). 32 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaTokenDataArray
{
    public LlamaTokenData* data;
    public nuint size;
    public long selected;
    public bool sorted;
}
