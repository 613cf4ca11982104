namespace LlmDistill.Tokenization.Training;

/// <summary>
/// Settings of <see cref="BpeTrainer"/>. The control tokens follow from how the demo prompts: plain text
/// ("question", then the teacher's "rationale\n#### N"), no chat turns, so the one token a model needs is
/// <see cref="EndOfText"/>, written after the answer and stopping generation (eos; also bos and pad, never added
/// by the tokenizer). <see cref="ChatTokens"/> adds <c>&lt;|im_start|&gt;</c>/<c>&lt;|im_end|&gt;</c> (im_end as
/// end-of-turn) for a ChatML template.
/// </summary>
public sealed record BpeTrainerOptions
{
    public const string DefaultEndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";

    /// <summary>
    /// Tokens in the finished vocabulary: 256 byte tokens, the merged tokens, then the control tokens. Training
    /// stops earlier when no pair occurs <see cref="MinPairCount"/> times, so the result can be smaller.
    /// </summary>
    public int VocabularySize { get; init; } = 512;

    /// <summary>A pair seen fewer times than this (counting word frequencies) is not merged.</summary>
    public int MinPairCount { get; init; } = 2;

    /// <summary>
    /// When false (default), no merge involves an ASCII digit, so every digit is its own token, as Qwen2's
    /// pre-tokenizer forces. The calibration measured a character-level model; whole-number tokens would make the
    /// student learn a table of up to 1000 number tokens from a few thousand problems.
    /// </summary>
    public bool MergeDigits { get; init; }

    public string EndOfText { get; init; } = DefaultEndOfText;

    public bool ChatTokens { get; init; }

    /// <summary>The control tokens in id order (they follow the merged tokens).</summary>
    public IReadOnlyList<string> ControlTokens => ChatTokens ? [EndOfText, ImStart, ImEnd] : [EndOfText];

    public BpeTrainerOptions Validate()
    {
        int minimum = 256 + ControlTokens.Count;
        if (VocabularySize < minimum) throw new ArgumentException($"VocabularySize must be at least {minimum} (256 bytes and the control tokens), not {VocabularySize}.");
        if (MinPairCount < 1) throw new ArgumentException($"MinPairCount must be at least 1, not {MinPairCount}.");
        if (string.IsNullOrEmpty(EndOfText)) throw new ArgumentException("EndOfText must be a non-empty token text.");
        if (ControlTokens.Distinct(StringComparer.Ordinal).Count() != ControlTokens.Count)
            throw new ArgumentException($"EndOfText '{EndOfText}' must differ from the chat tokens.");
        return this;
    }
}
