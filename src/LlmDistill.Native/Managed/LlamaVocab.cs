using System.Runtime.InteropServices;
using System.Text;
using LLama.Native;

namespace LlmDistill.Native;

/// <summary>A model's vocabulary (valid while the model is not disposed). Token ids are ints; -1 = none.</summary>
public sealed unsafe class LlamaVocab
{
    private readonly LlamaModel _model;
    private readonly IntPtr _vocab;

    internal LlamaVocab(LlamaModel model, IntPtr vocab)
    {
        _model = model;
        _vocab = vocab;
    }

    /// <summary>The raw <c>const llama_vocab*</c>.</summary>
    public IntPtr NativePointer => _vocab;

    private IntPtr V
    {
        get { _model.ThrowIfDisposed(); return _vocab; }
    }

    private SafeLlamaModelHandle.Vocabulary Shared
    {
        get { _model.ThrowIfDisposed(); return _model.Handle.Vocab; }
    }

    public int Count => Shared.Count;
    public LlamaVocabType Type => (LlamaVocabType)(int)Shared.Type;
    public int Bos => Id(Shared.BOS);
    public int Eos => Id(Shared.EOS);
    public int Eot => Id(Shared.EOT);
    public int Sep => Id(Shared.SEP);
    public int Newline => Id(Shared.Newline);
    public int Pad => Id(Shared.Pad);
    public bool AddsBos => Shared.ShouldAddBOS;
    public bool AddsEos => Shared.ShouldAddEOS;

    private static int Id(LLamaToken? token) => token is { } t ? (int)t : -1;

    /// <summary>End-of-generation token (EOS, EOT, ...).</summary>
    public bool IsEog(int token) => LlamaNative.llama_vocab_is_eog(V, token);
    public bool IsControl(int token) => LlamaNative.llama_vocab_is_control(V, token);
    public LlamaTokenAttr GetAttributes(int token) => LlamaNative.llama_vocab_get_attr(V, CheckToken(token));
    public float GetScore(int token) => LlamaNative.llama_vocab_get_score(V, CheckToken(token));

    /// <summary>The token's raw vocabulary text (as stored in the GGUF, e.g. "Ġthe" for BPE).</summary>
    public string GetText(int token)
    {
        byte* p = LlamaNative.llama_vocab_get_text(V, CheckToken(token));
        return p is null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)p) ?? string.Empty;
    }

    /// <summary>Tokenizes text. addSpecial: add BOS/EOS if the model wants them; parseSpecial: recognise special-token text.</summary>
    public int[] Tokenize(string text, bool addSpecial, bool parseSpecial)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Tokenize(Encoding.UTF8.GetBytes(text), addSpecial, parseSpecial);
    }

    /// <summary>Tokenizes UTF-8 text (call-twice sizing: a negative return is the required count).</summary>
    public int[] Tokenize(ReadOnlySpan<byte> utf8, bool addSpecial, bool parseSpecial)
    {
        IntPtr v = V;
        byte dummy = 0;
        int[] tokens = new int[utf8.Length + 8];
        for (int attempt = 0; attempt < 2; attempt++)
        {
            int n;
            fixed (byte* t = utf8)
            fixed (int* o = tokens)
                n = LlamaNative.llama_tokenize(v, t is null ? &dummy : t, utf8.Length, o, tokens.Length, addSpecial, parseSpecial);
            if (n == int.MinValue)
                throw new LlamaException("llama_tokenize overflowed: the text yields more than int.MaxValue tokens.", n);
            if (n >= 0)
                return n == tokens.Length ? tokens : tokens.AsSpan(0, n).ToArray();
            tokens = new int[-n];
        }
        throw new LlamaException("llama_tokenize kept asking for a larger buffer.");
    }

    /// <summary>
    /// The bytes a token renders to. Not necessarily valid UTF-8 on its own (a character can be split across
    /// tokens); concatenate pieces before decoding. special: render special/control tokens as their text.
    /// </summary>
    public byte[] TokenToPiece(int token, bool special = true, int lstrip = 0)
    {
        IntPtr v = V;
        Span<byte> small = stackalloc byte[64];
        int n;
        fixed (byte* b = small)
            n = LlamaNative.llama_token_to_piece(v, token, b, small.Length, lstrip, special);
        if (n >= 0)
            return small[..n].ToArray();
        byte[] big = new byte[-n];
        fixed (byte* b = big)
            n = LlamaNative.llama_token_to_piece(v, token, b, big.Length, lstrip, special);
        if (n < 0)
            throw new LlamaException($"llama_token_to_piece failed for token {token} (returned {n}).", n);
        return n == big.Length ? big : big.AsSpan(0, n).ToArray();
    }

    /// <summary>Tokens back to UTF-8 bytes (llama_detokenize).</summary>
    public byte[] DetokenizeToBytes(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool unparseSpecial = true)
    {
        IntPtr v = V;
        byte[] text = new byte[Math.Max(16, tokens.Length * 8)];
        for (int attempt = 0; attempt < 2; attempt++)
        {
            int n;
            fixed (int* t = tokens)
            fixed (byte* o = text)
                n = LlamaNative.llama_detokenize(v, t, tokens.Length, o, text.Length, removeSpecial, unparseSpecial);
            if (n >= 0)
                return text.AsSpan(0, n).ToArray();
            text = new byte[-n];
        }
        throw new LlamaException("llama_detokenize kept asking for a larger buffer.");
    }

    /// <summary>Tokens back to text (invalid UTF-8 becomes U+FFFD).</summary>
    public string Detokenize(ReadOnlySpan<int> tokens, bool removeSpecial = false, bool unparseSpecial = true) =>
        Encoding.UTF8.GetString(DetokenizeToBytes(tokens, removeSpecial, unparseSpecial));

    private int CheckToken(int token)
    {
        int n = Count;
        if ((uint)token >= (uint)n)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {n}).");
        return token;
    }
}
