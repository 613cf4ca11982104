using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_token_data (llama.h). 12 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaTokenData
{
    public int id;      // llama_token
    public float logit;
    public float p;
}
