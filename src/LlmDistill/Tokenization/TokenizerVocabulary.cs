namespace LlmDistill.Tokenization;

/// <summary>
/// A tokenizer's vocabulary as GGUF carries it: the tokens in id order, their llama.cpp types, BPE merges
/// (<c>"left right"</c>, highest priority first), special token ids and the chat template.
/// For <see cref="TokenizerModelKind.Gpt2"/> vocabularies tokens are in GPT-2's byte-to-unicode alphabet
/// (a space is <c>Ġ</c>), except added tokens (control/user-defined), which are plain text.
/// <para><see cref="Pre"/> is llama.cpp's pre-tokenizer name (<c>tokenizer.ggml.pre</c>: qwen2, llama-bpe, default...).</para>
/// Equality compares contents, so a vocabulary read back from a file equals the one written.
/// </summary>
public sealed record TokenizerVocabulary
{
    public required TokenizerModelKind Model { get; init; }
    public required string Pre { get; init; }
    public required string[] Tokens { get; init; }
    public required TokenType[] TokenTypes { get; init; }
    public string[] Merges { get; init; } = [];
    /// <summary>SentencePiece scores (llama model only); null for BPE.</summary>
    public float[]? Scores { get; init; }
    public SpecialTokenIds Special { get; init; } = SpecialTokenIds.None;
    /// <summary>SentencePiece (llama model) only: whether llama.cpp prefixes a space to text at the start and after a
    /// special token (<c>tokenizer.ggml.add_space_prefix</c>; Llama 2: true, Gemma: false).</summary>
    public bool AddSpacePrefix { get; init; } = true;
    public string? ChatTemplate { get; init; }

    public int Count => Tokens.Length;

    // Built on first lookup; keyed by the array it indexes because `with` copies this field too.
    (string[] Tokens, Dictionary<string, int> Ids)? _idMap;

    /// <summary>The id of a token by its exact text (first occurrence), or null.</summary>
    public int? IdOf(string token)
    {
        if (_idMap is not { } map || !ReferenceEquals(map.Tokens, Tokens))
            _idMap = map = (Tokens, BuildIdMap());
        return map.Ids.TryGetValue(token, out int id) ? id : null;
    }

    Dictionary<string, int> BuildIdMap()
    {
        var ids = new Dictionary<string, int>(Tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < Tokens.Length; i++) ids.TryAdd(Tokens[i], i);
        return ids;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first inconsistency.</summary>
    public TokenizerVocabulary Validate()
    {
        if (Tokens.Length == 0) throw new InvalidDataException("Vocabulary has no tokens.");
        if (TokenTypes.Length != Tokens.Length)
            throw new InvalidDataException($"Vocabulary has {Tokens.Length} tokens but {TokenTypes.Length} token types.");
        if (Scores is not null && Scores.Length != Tokens.Length)
            throw new InvalidDataException($"Vocabulary has {Tokens.Length} tokens but {Scores.Length} scores.");
        if (string.IsNullOrEmpty(Pre)) throw new InvalidDataException("Vocabulary has no pre-tokenizer name (use \"default\").");
        for (int i = 0; i < Merges.Length; i++)
        {
            int space = Merges[i].IndexOf(' ', 1);
            if (space <= 0 || space == Merges[i].Length - 1)
                throw new InvalidDataException($"Merge {i} '{Merges[i]}' is not of the form \"left right\".");
        }
        CheckId(Special.Bos, "bos");
        CheckId(Special.Eos, "eos");
        CheckId(Special.Eot, "eot");
        CheckId(Special.Pad, "pad");
        CheckId(Special.Unk, "unk");
        if (Special.AddBos && Special.Bos is null) throw new InvalidDataException("add_bos is set but the vocabulary has no bos token.");
        if (Special.AddEos && Special.Eos is null) throw new InvalidDataException("add_eos is set but the vocabulary has no eos token.");
        return this;
    }

    void CheckId(int? id, string role)
    {
        if (id is { } v && (v < 0 || v >= Tokens.Length))
            throw new InvalidDataException($"The {role} token id {v} is outside the vocabulary (0..{Tokens.Length - 1}).");
    }

    /// <summary>
    /// Appends unused <c>[PAD{id}]</c> tokens up to <paramref name="size"/>, as Hugging Face's GGUF converter does when a
    /// model's embedding has more rows than the tokenizer has tokens (Qwen2.5: 151936 rows, 151665 tokens).
    /// </summary>
    public TokenizerVocabulary PadTo(int size)
    {
        if (size < Count) throw new ArgumentOutOfRangeException(nameof(size), $"Cannot pad {Count} tokens down to {size}.");
        if (size == Count) return this;
        var tokens = new string[size];
        var types = new TokenType[size];
        Tokens.CopyTo(tokens, 0);
        TokenTypes.CopyTo(types, 0);
        for (int i = Count; i < size; i++)
        {
            tokens[i] = $"[PAD{i}]";
            types[i] = TokenType.Unused;
        }
        float[]? scores = null;
        if (Scores is not null)
        {
            scores = new float[size];
            Scores.CopyTo(scores, 0);
        }
        return this with { Tokens = tokens, TokenTypes = types, Scores = scores };
    }

    public bool Equals(TokenizerVocabulary? other) =>
        other is not null
        && Model == other.Model
        && Pre == other.Pre
        && Tokens.AsSpan().SequenceEqual(other.Tokens)
        && TokenTypes.AsSpan().SequenceEqual(other.TokenTypes)
        && Merges.AsSpan().SequenceEqual(other.Merges)
        && (Scores is null ? other.Scores is null : other.Scores is not null && Scores.AsSpan().SequenceEqual(other.Scores))
        && Special == other.Special
        && AddSpacePrefix == other.AddSpacePrefix
        && ChatTemplate == other.ChatTemplate;

    public override int GetHashCode() => HashCode.Combine(Model, Pre, Tokens.Length, Merges.Length, Special);
}
