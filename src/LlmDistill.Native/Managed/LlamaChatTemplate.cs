using System.Text;
using LLama.Native;

namespace LlmDistill.Native;

/// <summary>One chat message for <see cref="LlamaChatTemplate"/>.</summary>
public readonly record struct LlamaChatTurn(string Role, string Content);

/// <summary>llama_chat_apply_template: llama.cpp's built-in (non-Jinja) chat formatting.</summary>
public static class LlamaChatTemplate
{
    /// <summary>
    /// template: a template text (detected by llama.cpp) or a built-in name such as "chatml", "llama3".
    /// Throws <see cref="LlamaException"/> if llama.cpp does not recognise it.
    /// </summary>
    public static unsafe string Apply(string template, IReadOnlyList<LlamaChatTurn> messages, bool addAssistant)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(messages);
        LlamaBackend.EnsureInitialized();

        // All strings NUL-terminated in one pinned buffer.
        var offsets = new int[messages.Count * 2 + 1];
        var bytes = new List<byte>();
        void Add(int slot, string s) { offsets[slot] = bytes.Count; bytes.AddRange(Encoding.UTF8.GetBytes(s)); bytes.Add(0); }
        Add(0, template);
        int contentBytes = 0;
        for (int i = 0; i < messages.Count; i++)
        {
            Add(1 + 2 * i, messages[i].Role);
            Add(2 + 2 * i, messages[i].Content);
            contentBytes += Encoding.UTF8.GetByteCount(messages[i].Role) + Encoding.UTF8.GetByteCount(messages[i].Content);
        }
        byte[] strings = bytes.ToArray();
        var chat = new LLamaChatMessage[messages.Count];
        byte[] output = new byte[Math.Max(256, contentBytes * 2 + 256)];
        fixed (byte* s = strings)
        fixed (LLamaChatMessage* c = chat)
        {
            for (int i = 0; i < chat.Length; i++)
            {
                c[i].role = s + offsets[1 + 2 * i];
                c[i].content = s + offsets[2 + 2 * i];
            }
            for (int attempt = 0; attempt < 2; attempt++)
            {
                int n;
                fixed (byte* o = output)
                    n = NativeApi.llama_chat_apply_template(s + offsets[0], c, (nuint)chat.Length, addAssistant, o, output.Length);
                if (n < 0)
                    throw new LlamaException(
                        "llama.cpp does not support this chat template (llama_chat_apply_template returned " + n
                        + "; only built-in templates are recognised, not arbitrary Jinja).", n);
                if (n <= output.Length)
                    return Encoding.UTF8.GetString(output, 0, n);
                output = new byte[n];
            }
        }
        throw new LlamaException("llama_chat_apply_template kept asking for a larger buffer.");
    }
}
