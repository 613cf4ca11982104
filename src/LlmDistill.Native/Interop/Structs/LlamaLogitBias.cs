using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_logit_bias (llama.h). 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaLogitBias
{
    public int token;
    public float bias;
}
