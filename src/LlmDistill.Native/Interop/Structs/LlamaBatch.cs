using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_batch (llama.h). 56 bytes on 64-bit. Passed to llama_decode by value.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaBatch
{
    public int n_tokens;
    public int* token;      // llama_token*
    public float* embd;
    public int* pos;        // llama_pos*
    public int* n_seq_id;
    public int** seq_id;    // llama_seq_id**
    public sbyte* logits;   // int8_t*: non-zero = output logits for this token
}
