using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_model_imatrix_data (llama.h). 24 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaModelImatrixData
{
    public byte* name;      // const char*
    public float* data;
    public nuint size;
}
