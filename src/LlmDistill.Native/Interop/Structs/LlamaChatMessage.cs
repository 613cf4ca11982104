using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_chat_message (llama.h): two UTF-8, NUL-terminated strings. 16 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaChatMessage
{
    public byte* role;
    public byte* content;
}
