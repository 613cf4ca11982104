using LlmDistill.Gguf;
using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_model_tensor_override (llama.h). 16 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaModelTensorOverride
{
    public byte* pattern;   // const char*
    public GgmlType type;
}
