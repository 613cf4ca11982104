using System.Text;

namespace LlmDistill.Tokenization;

/// <summary>
/// llama.cpp's SentencePiece tokenizer (llama-vocab.cpp, <c>llm_tokenizer_spm_session</c>) for a <c>llama</c>-model
/// vocabulary: the text (spaces already written as <c>▁</c>) starts as one symbol per code point; the adjacent pair
/// whose concatenation is a token with the highest score is merged first (ties: leftmost), until no pair is a token.
/// Symbols that are not tokens fall back to byte tokens <c>&lt;0xXX&gt;</c> per UTF-8 byte.
/// Every token counts as a merge target whatever its type, as in llama.cpp.
/// </summary>
internal sealed class SentencePieceEncoder
{
    readonly Dictionary<string, int> _ids;
    readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    readonly float[] _scores;
    readonly int[] _byteIds = new int[256];

    public SentencePieceEncoder(TokenizerVocabulary vocabulary)
    {
        _scores = vocabulary.Scores ?? new float[vocabulary.Count];
        // llama.cpp's token_to_id: the last id of a text wins.
        _ids = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (int id = 0; id < vocabulary.Count; id++) _ids[vocabulary.Tokens[id]] = id;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        for (int b = 0; b < 256; b++)
            _byteIds[b] = _ids.TryGetValue($"<0x{b:X2}>", out int id) ? id
                : b < 0x80 && _ids.TryGetValue(((char)b).ToString(), out id) ? id : -1;
    }

    struct Symbol
    {
        public int Start, Length, Prev, Next;
    }

    /// <summary>Appends the ids of <paramref name="text"/> (already escaped: spaces are <c>▁</c>).</summary>
    public void Encode(ReadOnlySpan<char> text, List<int> ids)
    {
        if (text.IsEmpty) return;
        var symbols = new List<Symbol>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            int length = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            symbols.Add(new Symbol { Start = i, Length = length, Prev = symbols.Count - 1, Next = -1 });
            i += length;
        }
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(symbols);
        for (int i = 0; i + 1 < span.Length; i++) span[i].Next = i + 1;

        var queue = new PriorityQueue<(int Left, int Right, int Size), ulong>();
        for (int i = 1; i < span.Length; i++) TryAdd(text, span, queue, i - 1, i);

        while (queue.TryDequeue(out var bigram, out _))
        {
            ref var left = ref span[bigram.Left];
            ref var right = ref span[bigram.Right];
            // Skip pairs whose symbols changed since they were queued.
            if (left.Length == 0 || right.Length == 0 || left.Length + right.Length != bigram.Size) continue;
            left.Length += right.Length;
            right.Length = 0;
            left.Next = right.Next;
            if (right.Next >= 0) span[right.Next].Prev = bigram.Left;
            TryAdd(text, span, queue, left.Prev, bigram.Left);
            TryAdd(text, span, queue, bigram.Left, left.Next);
        }

        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i != -1; i = span[i].Next)
        {
            var piece = text.Slice(span[i].Start, span[i].Length);
            if (_lookup.TryGetValue(piece, out int id))
            {
                ids.Add(id);
                continue;
            }
            // A symbol that is not a token is a single code point (merges only make tokens): byte fallback.
            int n = Encoding.UTF8.GetBytes(piece, utf8);
            for (int b = 0; b < n; b++)
            {
                int byteId = _byteIds[utf8[b]];
                if (byteId < 0)
                    throw new InvalidDataException(
                        $"The vocabulary has no byte token <0x{utf8[b]:X2}> for '{piece}': llama.cpp cannot tokenize this text either.");
                ids.Add(byteId);
            }
        }
    }

    /// <summary>Queues the pair (left, right) when their concatenation is a token.</summary>
    void TryAdd(ReadOnlySpan<char> text, Span<Symbol> s, PriorityQueue<(int, int, int), ulong> queue, int left, int right)
    {
        if (left < 0 || right < 0) return;
        int size = s[left].Length + s[right].Length;
        if (_lookup.TryGetValue(text.Slice(s[left].Start, size), out int id))
            queue.Enqueue((left, right, size), Priority(_scores[id], left));
    }

    /// <summary>The queue's order as one number, smallest first: highest score first, then leftmost.</summary>
    static ulong Priority(float score, int left)
    {
        uint bits = BitConverter.SingleToUInt32Bits(score);
        uint ascending = (bits & 0x8000_0000) != 0 ? ~bits : bits | 0x8000_0000; // orders like the floats
        return ((ulong)~ascending << 32) | (uint)left;
    }
}
