namespace LlmDistill.Tokenization;

/// <summary>The tokenizer algorithm, as GGUF <c>tokenizer.ggml.model</c> names it.</summary>
public enum TokenizerModelKind
{
    /// <summary><c>gpt2</c>: byte-level BPE (GPT-2, Llama 3, Qwen). Rebuildable as a <see cref="VocabularyTokenizer"/>.</summary>
    Gpt2,
    /// <summary><c>llama</c>: SentencePiece-style (Llama 1/2, Mistral); tokens carry scores. Recorded, not rebuilt.</summary>
    Llama,
}

public static class TokenizerModelKinds
{
    public static string ToGgufName(this TokenizerModelKind kind) => kind switch
    {
        TokenizerModelKind.Gpt2 => "gpt2",
        TokenizerModelKind.Llama => "llama",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static TokenizerModelKind FromGgufName(string name) => name switch
    {
        "gpt2" => TokenizerModelKind.Gpt2,
        "llama" => TokenizerModelKind.Llama,
        _ => throw new NotSupportedException(
            $"tokenizer.ggml.model = '{name}' is not supported; supported: 'gpt2' (byte-level BPE), 'llama' (SentencePiece)."),
    };
}
