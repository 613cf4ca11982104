namespace LlmDistill.Generation.Prompts;

/// <summary>
/// The question-independent start of a prompt: render it for two questions whose first characters differ and
/// take the longest common prefix; that prefix's KV cache can be decoded once and copied to every sequence.
/// Works on any text built from the prompt, e.g. after the model's chat template has been applied.
/// </summary>
internal static class SharedPrefix
{
    /// <summary>Two questions that share no first character and appear in no real text.</summary>
    public const string SentinelA = "\u0001", SentinelB = "\u0002";

    public static string Of(string a, string b)
    {
        int length = a.AsSpan().CommonPrefixLength(b);
        return a[..length];
    }

    /// <summary>
    /// The prefix cut just after its last line break: a tokenizer may merge characters across the exact prefix end
    /// ("Question: " + "Tom" tokenizes as "Question:" + " Tom"), while the usual byte-level pre-tokenizers (GPT-2,
    /// Llama 3, Qwen2) end a piece at a newline followed by a non-space, so the cut prefix's tokens are a prefix of
    /// the full prompt's tokens. Check with the real tokenizer before relying on it.
    /// </summary>
    public static string AtLineBoundary(string prefix)
    {
        int newline = prefix.LastIndexOf('\n');
        return newline < 0 ? "" : prefix[..(newline + 1)];
    }
}
