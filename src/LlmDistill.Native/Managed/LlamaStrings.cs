using System.Text;

namespace LlmDistill.Native;

/// <summary>Helpers for llama.cpp's "write into buf, return the full length" string functions.</summary>
internal static unsafe class LlamaStrings
{
    public delegate int SizedReader(byte* buf, nuint size);

    /// <summary>Calls read with a buffer, then again with one of the returned length + 1 if it was too small; null if it returns &lt; 0.</summary>
    public static string? ReadSized(SizedReader read)
    {
        byte[] buf = new byte[256];
        for (int attempt = 0; attempt < 2; attempt++)
        {
            int n;
            fixed (byte* b = buf)
                n = read(b, (nuint)buf.Length);
            if (n < 0)
                return null;
            if (n < buf.Length)
                return Encoding.UTF8.GetString(buf, 0, n);
            buf = new byte[n + 1];
        }
        return null;
    }
}

/// <summary>Builds exception messages that quote what llama.cpp logged at error level.</summary>
internal static class LlamaErrors
{
    public static string WithLog(string message, long errorMark)
    {
        IReadOnlyList<string> errors = LlamaLog.ErrorsSince(errorMark);
        if (errors.Count == 0)
            return message + ".";
        return message + ". llama.cpp reported:\n" + string.Join("\n", errors.Select(e => "  " + e.Trim()));
    }
}
