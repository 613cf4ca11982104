using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmDistill.Tokenization;

/// <summary>
/// A tokenizer rebuilt from a <see cref="TokenizerVocabulary"/> that gives llama.cpp's token ids. Special and
/// user-defined tokens are cut out of the text first (longest first, as llama.cpp does). For a byte-level BPE
/// (<c>gpt2</c>) vocabulary each remaining fragment is split by <see cref="LlamaCppPreTokenizer"/> and each word is
/// encoded by Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>; for a SentencePiece (<c>llama</c>) vocabulary
/// each fragment gets llama.cpp's space prefix and <c>▁</c> escapes and is encoded by score
/// (<see cref="SentencePieceEncoder"/>). Encode and Decode keep no per-call state on the instance (parallel
/// encoding was checked to give the serial ids).
/// </summary>
public sealed class VocabularyTokenizer
{
    readonly (string Text, int Id, bool Control)[] _specials; // longest text first
    readonly SpecialTokenTrie _specialTrie; // over _specials' texts, same order
    readonly Dictionary<string, int> _wordIds; // byte-level text of normal tokens, for llama.cpp's ignore_merges
    readonly TokenType[] _types; // as llama.cpp uses them (see LlamaCppTokenTypes)
    readonly SentencePieceEncoder? _sentencePiece;

    public TokenizerVocabulary Vocabulary { get; }
    internal LlamaCppPreTokenizer? PreTokenizer { get; }

    /// <summary>The Microsoft.ML.Tokenizers BPE over the normal tokens of a <c>gpt2</c> vocabulary (null for <c>llama</c>); it knows no special tokens.</summary>
    public BpeTokenizer? Bpe { get; }

    VocabularyTokenizer(TokenizerVocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        _types = LlamaCppTokenTypes.AsLoaded(vocabulary);
        _wordIds = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        var specials = new List<(string, int, bool)>();
        for (int id = 0; id < vocabulary.Count; id++)
        {
            // The BPE knows the file's normal tokens (merges may make a token llama.cpp treats as control, e.g. "</s>").
            if (vocabulary.TokenTypes[id] is TokenType.Normal or TokenType.Byte) _wordIds.TryAdd(vocabulary.Tokens[id], id);
            switch (_types[id])
            {
                // llama.cpp cuts these out of text before pre-tokenizing (control/unknown only when parsing special).
                case TokenType.Control or TokenType.Unknown or TokenType.UserDefined when vocabulary.Tokens[id].Length > 0:
                    specials.Add((vocabulary.Tokens[id], id, _types[id] != TokenType.UserDefined));
                    break;
            }
        }
        _specials = specials.OrderByDescending(s => Encoding.UTF8.GetByteCount(s.Item1)).ToArray();
        _specialTrie = new SpecialTokenTrie(_specials.Select(s => s.Text).ToArray());

        if (vocabulary.Model == TokenizerModelKind.Llama)
        {
            _sentencePiece = new SentencePieceEncoder(vocabulary);
            return;
        }
        PreTokenizer = LlamaCppPreTokenizer.ForName(vocabulary.Pre);
        Bpe = BpeTokenizer.Create(new BpeOptions(_wordIds)
        {
            Merges = vocabulary.Merges,
            ByteLevel = true,
            PreTokenizer = PreTokenizer,
        });
    }

    /// <summary>Builds the tokenizer; refuses unsupported pre-tokenizers with a message naming the value.</summary>
    public static VocabularyTokenizer Create(TokenizerVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        vocabulary.Validate();
        if (vocabulary.Model == TokenizerModelKind.Gpt2) LlamaCppPreTokenizer.ForName(vocabulary.Pre); // refuse before building
        return new VocabularyTokenizer(vocabulary);
    }

    /// <summary>
    /// Token ids of <paramref name="text"/>, as <c>llama_tokenize(vocab, text, add_special, parse_special)</c> gives them.
    /// </summary>
    /// <param name="addSpecial">Add BOS/EOS when the vocabulary asks for them.</param>
    /// <param name="parseSpecial">Match control tokens such as <c>&lt;|im_start|&gt;</c> in the text; when false they are
    /// ordinary text (user-defined tokens are matched either way, as in llama.cpp).</param>
    public int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 2);
        var special = Vocabulary.Special;
        if (addSpecial && special.AddBos && special.Bos is { } bos) ids.Add(bos);
        text = WithoutLoneSurrogates(text);
        bool afterSpecial = true; // SentencePiece: llama.cpp prefixes a space to text at the start or after a special token
        foreach (var (offset, length, id) in Partition(text, parseSpecial))
        {
            if (id >= 0) ids.Add(id);
            else if (_sentencePiece is null) EncodeText(text.AsSpan(offset, length), ids);
            else EncodeSentencePiece(text.AsSpan(offset, length), afterSpecial, ids);
            afterSpecial = id >= 0;
        }
        if (addSpecial && special.AddEos && special.Eos is { } eos) ids.Add(eos);
        return ids.ToArray();
    }

    /// <summary>UTF-8 (what llama.cpp is given) has no lone surrogates: they become U+FFFD, as Encoding.UTF8 writes them.</summary>
    static string WithoutLoneSurrogates(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i])) continue;
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) { i++; continue; }
            return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
        }
        return text;
    }

    void EncodeSentencePiece(ReadOnlySpan<char> text, bool afterSpecial, List<int> ids)
    {
        bool prefix = Vocabulary.AddSpacePrefix && afterSpecial;
        var escaped = new char[text.Length + (prefix ? 1 : 0)];
        if (prefix) escaped[0] = Escape;
        for (int i = 0; i < text.Length; i++) escaped[i + (prefix ? 1 : 0)] = text[i] == ' ' ? Escape : text[i];
        _sentencePiece!.Encode(escaped, ids);
    }

    /// <summary>SentencePiece's visible space, U+2581.</summary>
    const char Escape = '\u2581';

    void EncodeText(ReadOnlySpan<char> text, List<int> ids)
    {
        foreach (var (offset, length) in PreTokenizer!.Split(text))
        {
            var word = text.Slice(offset, length);
            if (PreTokenizer.IgnoreMerges && _wordIds.TryGetValue(ByteLevelAlphabet.Encode(word), out int whole))
            {
                ids.Add(whole);
                continue;
            }
            ids.AddRange(Bpe!.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
        }
    }

    /// <summary>Splits text into (offset, length, special id) runs; id is -1 for plain text.</summary>
    List<(int Offset, int Length, int Id)> Partition(string text, bool parseSpecial)
    {
        if (text.Length == 0) return [];
        var runs = new List<(int Offset, int Length, int Id)> { (0, text.Length, -1) };
        var present = new bool[_specials.Length];
        _specialTrie.MarkPresent(text, present);
        for (int k = 0; k < _specials.Length; k++)
        {
            if (!present[k]) continue;
            var (token, id, control) = _specials[k];
            if (control && !parseSpecial) continue;
            for (int r = 0; r < runs.Count; r++)
            {
                var (offset, length, runId) = runs[r];
                if (runId >= 0) continue;
                int at = text.IndexOf(token, offset, length, StringComparison.Ordinal);
                if (at < 0) continue;
                var replacement = new List<(int, int, int)>(3);
                if (at > offset) replacement.Add((offset, at - offset, -1));
                replacement.Add((at, token.Length, id));
                int rest = offset + length - (at + token.Length);
                if (rest > 0) replacement.Add((at + token.Length, rest, -1));
                runs.RemoveAt(r);
                runs.InsertRange(r, replacement);
                // the right remainder (if any) is visited next and may hold further occurrences
                r += replacement.Count - 1 - (rest > 0 ? 1 : 0);
            }
        }
        return runs;
    }

    /// <summary>
    /// The text of <paramref name="ids"/>: byte-level tokens are turned back into UTF-8 bytes (SentencePiece: <c>▁</c> is a
    /// space, <c>&lt;0xXX&gt;</c> a byte, and the space llama.cpp prefixes at the start and after a special token is
    /// dropped); control tokens are written as their text when <paramref name="renderSpecial"/> (else dropped);
    /// invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool renderSpecial = true)
    {
        var bytes = new List<byte>();
        bool sentencePiece = _sentencePiece is not null;
        bool dropSpace = sentencePiece && Vocabulary.AddSpacePrefix;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary (0..{Vocabulary.Count - 1}).");
            string token = Vocabulary.Tokens[id];
            int start = bytes.Count;
            switch (_types[id])
            {
                case TokenType.Byte when sentencePiece && TryParseByteToken(token, out byte b):
                    bytes.Add(b);
                    break;
                case TokenType.Normal or TokenType.Byte or TokenType.Unused or TokenType.Undefined when sentencePiece:
                    bytes.AddRange(Encoding.UTF8.GetBytes(token.Replace(Escape, ' ')));
                    break;
                case TokenType.Normal or TokenType.Byte:
                    if (!ByteLevelAlphabet.TryDecode(token, bytes)) bytes.AddRange(Encoding.UTF8.GetBytes(token));
                    break;
                case TokenType.UserDefined:
                    bytes.AddRange(Encoding.UTF8.GetBytes(token));
                    break;
                default:
                    if (renderSpecial) bytes.AddRange(Encoding.UTF8.GetBytes(token));
                    break;
            }
            bool special = _types[id] is TokenType.Control or TokenType.UserDefined or TokenType.Unknown;
            bool produced = bytes.Count > start;
            if (dropSpace && !special && produced && bytes[start] == (byte)' ') bytes.RemoveAt(start);
            if (produced || special) dropSpace = sentencePiece && Vocabulary.AddSpacePrefix && special;
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    static bool TryParseByteToken(string token, out byte value)
    {
        value = 0;
        return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
            && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out value);
    }
}
