namespace LlmDistill.Tokenization;

/// <summary>
/// A token's role, with llama.cpp's numbering (the values stored in GGUF <c>tokenizer.ggml.token_type</c>).
/// </summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    /// <summary>Special tokens such as <c>&lt;|im_end|&gt;</c>: matched in text only when special tokens are parsed.</summary>
    Control = 3,
    /// <summary>Added tokens that are not special (e.g. Qwen's <c>&lt;think&gt;</c>): always matched in text.</summary>
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}
