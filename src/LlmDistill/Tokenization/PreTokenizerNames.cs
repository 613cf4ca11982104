namespace LlmDistill.Tokenization;

/// <summary>llama.cpp pre-tokenizer names (GGUF <c>tokenizer.ggml.pre</c>) that this project knows by name.</summary>
internal static class PreTokenizerNames
{
    /// <summary>Qwen2/2.5/3: digits split one by one.</summary>
    public const string Qwen2 = "qwen2";
    /// <summary>Llama 3 (the converter writes "llama-bpe"; llama.cpp also accepts "llama3", "llama-v3").</summary>
    public const string LlamaBpe = "llama-bpe";
    /// <summary>GPT-2's own split (note the hyphen: "gpt2" is the model name, not a pre-tokenizer).</summary>
    public const string Gpt2 = "gpt-2";
    /// <summary>GPT-4o's o200k split (case-aware words, digit triples).</summary>
    public const string Gpt4o = "gpt-4o";
    /// <summary>DeepSeek V3/R1: digit triples, then CJK runs, then words.</summary>
    public const string DeepSeekV3 = "deepseek-v3";
    /// <summary>llama.cpp's fallback: punctuation runs, then GPT-2's split, then digit runs, then digit triples.</summary>
    public const string Default = "default";
}
