namespace LlmDistill.Tokenization;

/// <summary>
/// GPT-2's byte-to-unicode map: every byte gets a printable character so that byte-level BPE tokens are strings.
/// Printable Latin-1 bytes (<c>!</c>..<c>~</c>, <c>¡</c>..<c>¬</c>, <c>®</c>..<c>ÿ</c>) map to themselves; the other 68
/// bytes map, in byte order, to U+0100 onwards (so a space, 0x20, is <c>Ġ</c> U+0120 and a newline <c>Ċ</c>).
/// </summary>
internal static class ByteLevelAlphabet
{
    static readonly char[] ByteToChar = BuildByteToChar();
    static readonly Dictionary<char, byte> CharToByte = BuildCharToByte();

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    static Dictionary<char, byte> BuildCharToByte()
    {
        var map = new Dictionary<char, byte>(256);
        for (int b = 0; b < 256; b++) map[ByteToChar[b]] = (byte)b;
        return map;
    }

    public static char CharOf(byte b) => ByteToChar[b];

    /// <summary>UTF-8 bytes of <paramref name="text"/> written in the byte-level alphabet.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(text)];
        System.Text.Encoding.UTF8.GetBytes(text, bytes);
        return Encode(bytes);
    }

    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var chars = new char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>Appends the bytes a byte-level token stands for; false if a character is outside the alphabet.</summary>
    public static bool TryDecode(string token, List<byte> into)
    {
        int start = into.Count;
        foreach (char c in token)
        {
            if (!CharToByte.TryGetValue(c, out byte b))
            {
                into.RemoveRange(start, into.Count - start);
                return false;
            }
            into.Add(b);
        }
        return true;
    }
}
