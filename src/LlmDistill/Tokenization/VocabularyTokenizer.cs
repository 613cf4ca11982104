using System.Text;
using Microsoft.ML.Tokenizers;

namespace LlmDistill.Tokenization;

/// <summary>
/// A tokenizer rebuilt from a byte-level BPE <see cref="TokenizerVocabulary"/> that gives llama.cpp's token ids:
/// special/user-defined tokens are cut out of the text first (longest first, as llama.cpp does), each remaining
/// fragment is split by <see cref="LlamaCppPreTokenizer"/> and each word is encoded by Microsoft.ML.Tokenizers'
/// <see cref="BpeTokenizer"/> (byte-level). Encode and Decode keep no per-call state on the instance (parallel
/// encoding was checked to give the serial ids).
/// </summary>
public sealed class VocabularyTokenizer
{
    readonly (string Text, int Id, bool Control)[] _specials; // longest text first
    readonly Dictionary<string, int> _wordIds; // byte-level text of normal tokens, for llama.cpp's ignore_merges

    public TokenizerVocabulary Vocabulary { get; }
    internal LlamaCppPreTokenizer PreTokenizer { get; }

    /// <summary>The Microsoft.ML.Tokenizers BPE over the normal tokens; it knows no special tokens.</summary>
    public BpeTokenizer Bpe { get; }

    VocabularyTokenizer(TokenizerVocabulary vocabulary)
    {
        Vocabulary = vocabulary;
        PreTokenizer = LlamaCppPreTokenizer.ForName(vocabulary.Pre);

        _wordIds = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        var specials = new List<(string, int, bool)>();
        for (int id = 0; id < vocabulary.Count; id++)
        {
            switch (vocabulary.TokenTypes[id])
            {
                case TokenType.Normal or TokenType.Byte:
                    _wordIds.TryAdd(vocabulary.Tokens[id], id);
                    break;
                // llama.cpp cuts these out of text before pre-tokenizing (control/unknown only when parsing special).
                case TokenType.Control or TokenType.Unknown or TokenType.UserDefined when vocabulary.Tokens[id].Length > 0:
                    specials.Add((vocabulary.Tokens[id], id, vocabulary.TokenTypes[id] != TokenType.UserDefined));
                    break;
            }
        }
        _specials = specials.OrderByDescending(s => Encoding.UTF8.GetByteCount(s.Item1)).ToArray();

        Bpe = BpeTokenizer.Create(new BpeOptions(_wordIds)
        {
            Merges = vocabulary.Merges,
            ByteLevel = true,
            PreTokenizer = PreTokenizer,
        });
    }

    /// <summary>Builds the tokenizer; refuses non-BPE models and unsupported pre-tokenizers with a message naming the value.</summary>
    public static VocabularyTokenizer Create(TokenizerVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Model != TokenizerModelKind.Gpt2)
            throw new NotSupportedException(
                $"tokenizer.ggml.model = '{vocabulary.Model.ToGgufName()}' cannot be rebuilt; only 'gpt2' (byte-level BPE) vocabularies can.");
        vocabulary.Validate();
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
        foreach (var (offset, length, id) in Partition(text, parseSpecial))
        {
            if (id >= 0) ids.Add(id);
            else EncodeText(text.AsSpan(offset, length), ids);
        }
        if (addSpecial && special.AddEos && special.Eos is { } eos) ids.Add(eos);
        return ids.ToArray();
    }

    void EncodeText(ReadOnlySpan<char> text, List<int> ids)
    {
        foreach (var (offset, length) in PreTokenizer.Split(text))
        {
            var word = text.Slice(offset, length);
            if (PreTokenizer.IgnoreMerges && _wordIds.TryGetValue(ByteLevelAlphabet.Encode(word), out int whole))
            {
                ids.Add(whole);
                continue;
            }
            ids.AddRange(Bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
        }
    }

    /// <summary>Splits text into (offset, length, special id) runs; id is -1 for plain text.</summary>
    List<(int Offset, int Length, int Id)> Partition(string text, bool parseSpecial)
    {
        if (text.Length == 0) return [];
        var runs = new List<(int Offset, int Length, int Id)> { (0, text.Length, -1) };
        foreach (var (token, id, control) in _specials)
        {
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
    /// The text of <paramref name="ids"/>: byte-level tokens are turned back into UTF-8 bytes; control tokens are
    /// written as their text when <paramref name="renderSpecial"/> (else dropped); invalid UTF-8 becomes U+FFFD.
    /// </summary>
    public string Decode(IEnumerable<int> ids, bool renderSpecial = true)
    {
        var bytes = new List<byte>();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary (0..{Vocabulary.Count - 1}).");
            string token = Vocabulary.Tokens[id];
            switch (Vocabulary.TokenTypes[id])
            {
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
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }
}
