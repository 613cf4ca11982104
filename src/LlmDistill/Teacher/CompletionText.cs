using System.Text;

namespace LlmDistill.Teacher;

/// <summary>
/// Assembles a completion's text from token pieces (raw bytes): a UTF-8 character may be split across tokens,
/// so bytes are decoded with a stateful decoder; invalid sequences become U+FFFD and are counted.
/// Watches for stop strings and reports the character index where the first one starts.
/// </summary>
internal sealed class CompletionText
{
    readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: false).GetDecoder();
    readonly StringBuilder _text = new();
    readonly IReadOnlyList<string> _stops;
    readonly int _longestStop;
    char[] _chars = new char[64];

    public CompletionText(IReadOnlyList<string> stopStrings)
    {
        _stops = stopStrings.Where(s => s.Length > 0).ToArray();
        _longestStop = _stops.Count == 0 ? 0 : _stops.Max(s => s.Length);
    }

    /// <summary>Index in <see cref="Text"/> where a stop string begins, once one has appeared.</summary>
    public int? StopAt { get; private set; }
    public int InvalidCharacters { get; private set; }

    /// <summary>The decoded text, cut before the stop string when one appeared.</summary>
    public string Text => StopAt is int at ? _text.ToString(0, at) : _text.ToString();

    /// <summary>
    /// Length of the text no later token can change: all of it once a stop string was found or when there are none,
    /// otherwise all but the last (longest stop - 1) characters, which could still begin a stop string.
    /// </summary>
    public int FinalLength => StopAt ?? Math.Max(0, _text.Length - Math.Max(0, _longestStop - 1));

    /// <summary>Appends one token's bytes; returns true when a stop string is now complete.</summary>
    public bool Append(ReadOnlySpan<byte> piece)
    {
        int needed = _decoder.GetCharCount(piece, flush: false);
        if (_chars.Length < needed) _chars = new char[Math.Max(needed, 2 * _chars.Length)];
        int count = _decoder.GetChars(piece, _chars, flush: false);
        int before = _text.Length;
        for (int i = 0; i < count; i++) if (_chars[i] == '\uFFFD') InvalidCharacters++;
        _text.Append(_chars, 0, count);
        if (StopAt is null && count > 0 && _longestStop > 0) StopAt = FindStop(Math.Max(0, before - _longestStop + 1));
        return StopAt is not null;
    }

    int? FindStop(int from)
    {
        string tail = _text.ToString(from, _text.Length - from);
        int? first = null;
        foreach (string stop in _stops)
        {
            int at = tail.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0 && (first is null || from + at < first)) first = from + at;
        }
        return first;
    }
}
