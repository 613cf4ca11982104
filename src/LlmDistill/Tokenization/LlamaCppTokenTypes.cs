namespace LlmDistill.Tokenization;

/// <summary>
/// Token types as llama.cpp uses them after loading (llama-vocab.cpp, <c>load</c>): it makes tokens whose text names an
/// end of turn/generation or a fill-in-the-middle role control tokens even when the file says otherwise (DeepSeek's
/// <c>&lt;｜fim▁begin｜&gt;</c> is user-defined in its tokenizer.json), and gpt-oss's channel tokens user-defined.
/// The rebuilt tokenizer partitions special text with these types, so it agrees with llama.cpp on any file.
/// </summary>
internal static class LlamaCppTokenTypes
{
    static readonly HashSet<string> MadeControl = new(StringComparer.Ordinal)
    {
        // end of turn / generation
        "<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>", "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>",
        "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>", "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>",
        "<eos>", "<turn|>", "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[",
        // fill in the middle: prefix, suffix, middle, pad, repo, file separator
        "<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>",
        "<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>",
        "<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>",
        "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]",
        "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
        "<|file_sep|>",
    };

    static readonly HashSet<string> MadeUserDefined = new(StringComparer.Ordinal) { "<|channel|>", "<|message|>", "<|start|>", "<|constrain|>" };

    /// <summary>The types llama.cpp gives the tokens of <paramref name="vocabulary"/> once loaded.</summary>
    public static TokenType[] AsLoaded(TokenizerVocabulary vocabulary)
    {
        var types = (TokenType[])vocabulary.TokenTypes.Clone();
        for (int id = 0; id < types.Length; id++)
        {
            string text = vocabulary.Tokens[id];
            if (MadeUserDefined.Contains(text)) types[id] = TokenType.UserDefined;
            else if (types[id] != TokenType.Control && MadeControl.Contains(text)) types[id] = TokenType.Control;
        }
        return types;
    }
}
