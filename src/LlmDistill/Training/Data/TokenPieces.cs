using System.Globalization;
using System.Text;
using LlmDistill.Tokenization;

namespace LlmDistill.Training.Data;

/// <summary>
/// The bytes each token id stands for in generated text, as llama.cpp's <c>llama_token_to_piece(special: false)</c>
/// renders them when the teacher writes a completion: byte-level BPE tokens (<c>gpt2</c>) turn back into their
/// bytes through <see cref="ByteLevelAlphabet"/>; SentencePiece tokens (<c>llama</c>) are their text with <c>▁</c> as a
/// space, and <c>&lt;0xNN&gt;</c> byte tokens are that byte; user-defined tokens are their UTF-8 text; control, unknown
/// and unused tokens render as nothing. Built once per vocabulary; read-only afterwards, so thread-safe.
/// </summary>
internal sealed class TokenPieces
{
    readonly byte[][] _pieces;

    public TokenPieces(TokenizerVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        _pieces = new byte[vocabulary.Count][];
        var bytes = new List<byte>();
        for (int id = 0; id < vocabulary.Count; id++)
            _pieces[id] = Piece(vocabulary.Model, vocabulary.Tokens[id], vocabulary.TokenTypes[id], bytes);
    }

    /// <summary>Number of token ids (the vocabulary size).</summary>
    public int Count => _pieces.Length;

    public ReadOnlySpan<byte> this[int id] => _pieces[id];

    /// <summary>
    /// The character offset in the decoded text where each token begins, plus the text's length at the end:
    /// [n + 1] for n tokens. Bytes are decoded with one stateful UTF-8 decoder, as the generator assembled the
    /// completion text (<see cref="Teacher.CompletionText"/>): a character split across tokens begins at the token
    /// holding its first byte, and invalid bytes become U+FFFD.
    /// </summary>
    public int[] CharacterStarts(ReadOnlySpan<int> ids)
    {
        var decoder = new UTF8Encoding(false, throwOnInvalidBytes: false).GetDecoder();
        var starts = new int[ids.Length + 1];
        var buffer = new char[64];
        int chars = 0;
        for (int j = 0; j < ids.Length; j++)
        {
            int id = ids[j];
            if ((uint)id >= (uint)_pieces.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), $"token id {id} is outside the vocabulary (0..{_pieces.Length - 1})");
            // A token that only begins a character emits nothing, so it starts where the token completing it does.
            starts[j] = chars;
            byte[] piece = _pieces[id];
            int needed = decoder.GetCharCount(piece, flush: false);
            if (buffer.Length < needed) buffer = new char[Math.Max(needed, 2 * buffer.Length)];
            chars += decoder.GetChars(piece, buffer, flush: false);
        }
        starts[ids.Length] = chars;
        return starts;
    }

    static byte[] Piece(TokenizerModelKind model, string token, TokenType type, List<byte> bytes)
    {
        switch (type)
        {
            case TokenType.Normal when model == TokenizerModelKind.Gpt2:
            case TokenType.Byte when model == TokenizerModelKind.Gpt2:
                bytes.Clear();
                return ByteLevelAlphabet.TryDecode(token, bytes) ? [.. bytes] : Encoding.UTF8.GetBytes(token);
            case TokenType.Normal:
                return Encoding.UTF8.GetBytes(token.Replace('\u2581', ' '));
            case TokenType.Byte:
                return token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal)
                    && byte.TryParse(token.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte b)
                    ? [b] : Encoding.UTF8.GetBytes(token);
            case TokenType.UserDefined:
                return Encoding.UTF8.GetBytes(token);
            default:
                return [];
        }
    }
}
