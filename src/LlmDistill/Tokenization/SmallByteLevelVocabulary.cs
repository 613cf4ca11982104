namespace LlmDistill.Tokenization;

/// <summary>
/// A small project-made byte-level BPE vocabulary (no downloaded data): the 256 byte tokens in GPT-2's
/// byte-to-unicode order (id = byte value), one token per merge, then control tokens; <c>pre = default</c>.
/// llama.cpp loads such a vocabulary (<c>tokenizer.ggml.model = gpt2</c>). For tests and tiny models; a trained
/// BPE vocabulary is meant to replace it.
/// </summary>
internal static class SmallByteLevelVocabulary
{
    public const string EndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    /// <summary>A handful of English merges, in priority order (byte-level spelling: <c>Ġ</c> is a space).</summary>
    public static readonly string[] DefaultMerges = ["Ġ t", "h e", "Ġ a", "i n", "Ġt he", "e r", "o n", "Ġ s", "r e", "a t"];

    /// <summary>
    /// 256 byte tokens + one token per merge + <c>&lt;|endoftext|&gt;</c> (bos, eos, pad), <c>&lt;|im_start|&gt;</c>,
    /// <c>&lt;|im_end|&gt;</c> (eot) as control tokens.
    /// </summary>
    public static TokenizerVocabulary Create(IReadOnlyList<string>? merges = null)
    {
        merges ??= DefaultMerges;
        var tokens = new List<string>(256 + merges.Count + 3);
        for (int b = 0; b < 256; b++) tokens.Add(ByteLevelAlphabet.CharOf((byte)b).ToString());
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        foreach (var merge in merges)
        {
            int space = merge.IndexOf(' ', 1);
            if (space <= 0) throw new ArgumentException($"Merge '{merge}' is not of the form \"left right\".", nameof(merges));
            string left = merge[..space], right = merge[(space + 1)..];
            if (!known.Contains(left) || !known.Contains(right))
                throw new ArgumentException($"Merge '{merge}' uses a token that no earlier byte or merge makes.", nameof(merges));
            if (known.Add(left + right)) tokens.Add(left + right);
        }
        int normalCount = tokens.Count;
        tokens.AddRange([EndOfText, ImStart, ImEnd]);
        var types = new TokenType[tokens.Count];
        Array.Fill(types, TokenType.Normal, 0, normalCount);
        Array.Fill(types, TokenType.Control, normalCount, 3);
        return new TokenizerVocabulary
        {
            Model = TokenizerModelKind.Gpt2,
            Pre = PreTokenizerNames.Default,
            Tokens = tokens.ToArray(),
            TokenTypes = types,
            Merges = merges.ToArray(),
            Special = new SpecialTokenIds(Bos: normalCount, Eos: normalCount, Eot: normalCount + 2, Pad: normalCount),
        }.Validate();
    }
}
