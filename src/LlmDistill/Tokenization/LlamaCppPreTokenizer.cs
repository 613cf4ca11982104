using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlmDistill.Tokenization;

/// <summary>
/// Splits text into words the way llama.cpp does for a given <c>tokenizer.ggml.pre</c> (src/llama-vocab.cpp,
/// src/unicode.cpp): each regex of the pre-tokenizer's list splits every piece left by the previous one, and text
/// a regex does not match stays as a piece of its own. Regexes see one piece at a time (lookaheads stop at its end).
/// <para>.NET regexes work on UTF-16 units, so <c>\p{L}</c> cannot match a letter outside the BMP; llama.cpp works on
/// code points. Pieces holding surrogate pairs are therefore matched on a copy where each such code point is replaced
/// by a BMP character of the same class (letter, digit, punctuation, symbol, mark, other), and offsets mapped back.</para>
/// </summary>
internal sealed class LlamaCppPreTokenizer : PreTokenizer
{
    // The regexes llama.cpp uses for each supported pre-tokenizer, in llama.cpp's (case-explicit) spelling.
    const string Qwen2Regex = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Llama3Regex = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Gpt2Regex = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";

    readonly Regex[] _regexes;

    /// <summary>Whether llama.cpp takes a whole word that is itself a token without running merges (Llama 3).</summary>
    public bool IgnoreMerges { get; }
    public string Name { get; }

    LlamaCppPreTokenizer(string name, bool ignoreMerges, params string[] patterns)
    {
        Name = name;
        IgnoreMerges = ignoreMerges;
        _regexes = patterns.Select(p => new Regex(p, RegexOptions.Compiled | RegexOptions.CultureInvariant)).ToArray();
    }

    /// <summary>The pre-tokenizer for a <c>tokenizer.ggml.pre</c> value; throws <see cref="NotSupportedException"/> naming unsupported values.</summary>
    public static LlamaCppPreTokenizer ForName(string pre) => pre switch
    {
        "qwen2" or "deepseek-r1-qwen" => new(pre, false, Qwen2Regex),
        "llama3" or "llama-v3" or "llama-bpe" => new(pre, true, Llama3Regex),
        "gpt-2" => new(pre, false, Gpt2Regex),
        "default" => new(pre, false, @"[\p{P}\$\+<=>\^~\|]+", Gpt2Regex, @"\p{N}+", "[0-9][0-9][0-9]"),
        _ => throw new NotSupportedException(
            $"tokenizer.ggml.pre = '{pre}' is not supported; supported: qwen2, deepseek-r1-qwen, llama3, llama-v3, llama-bpe, gpt-2, default."),
    };

    public static bool IsSupported(string pre) =>
        pre is "qwen2" or "deepseek-r1-qwen" or "llama3" or "llama-v3" or "llama-bpe" or "gpt-2" or "default";

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    /// <summary>The word boundaries of <paramref name="text"/> as (offset, length) in UTF-16 units.</summary>
    public List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (text.IsEmpty) return pieces;
        pieces.Add((0, text.Length));
        foreach (var regex in _regexes)
        {
            var next = new List<(int, int)>(pieces.Count * 2);
            foreach (var (offset, length) in pieces) SplitPiece(regex, text.Slice(offset, length), offset, next);
            pieces = next;
        }
        return pieces;
    }

    static void SplitPiece(Regex regex, ReadOnlySpan<char> piece, int baseOffset, List<(int, int)> into)
    {
        if (!HasSurrogates(piece))
        {
            int end = 0;
            foreach (var match in regex.EnumerateMatches(piece))
            {
                if (match.Length == 0) continue;
                if (match.Index > end) into.Add((baseOffset + end, match.Index - end));
                into.Add((baseOffset + match.Index, match.Length));
                end = match.Index + match.Length;
            }
            if (end < piece.Length) into.Add((baseOffset + end, piece.Length - end));
            return;
        }

        // One char per code point; starts[i] = UTF-16 offset of code point i (starts[n] = piece length).
        var collapsed = new char[piece.Length];
        var starts = new int[piece.Length + 1];
        int n = 0;
        for (int i = 0; i < piece.Length; n++)
        {
            starts[n] = i;
            if (char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
            {
                collapsed[n] = Representative(char.ConvertToUtf32(piece[i], piece[i + 1]));
                i += 2;
            }
            else collapsed[n] = piece[i++];
        }
        starts[n] = piece.Length;

        int cpEnd = 0;
        foreach (var match in regex.EnumerateMatches(collapsed.AsSpan(0, n)))
        {
            if (match.Length == 0) continue;
            if (match.Index > cpEnd) into.Add((baseOffset + starts[cpEnd], starts[match.Index] - starts[cpEnd]));
            into.Add((baseOffset + starts[match.Index], starts[match.Index + match.Length] - starts[match.Index]));
            cpEnd = match.Index + match.Length;
        }
        if (cpEnd < n) into.Add((baseOffset + starts[cpEnd], piece.Length - starts[cpEnd]));
    }

    static bool HasSurrogates(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (char.IsSurrogate(c)) return true;
        return false;
    }

    /// <summary>A BMP stand-in of the same class as a supplementary code point (no regex here names a non-ASCII literal).</summary>
    static char Representative(int codePoint) => CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => '\u4E00',
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => '\u0660',
        UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
            or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => '\u00A1',
        UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
            or UnicodeCategory.OtherSymbol => '\u00A6',
        UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => '\u0300',
        _ => '\uE000',
    };
}
