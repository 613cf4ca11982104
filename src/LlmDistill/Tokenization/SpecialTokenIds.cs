namespace LlmDistill.Tokenization;

/// <summary>
/// Ids of the tokens with a role (null when the vocabulary has none), and whether encoding adds BOS/EOS.
/// <see cref="Eot"/> is end-of-turn (e.g. <c>&lt;|im_end|&gt;</c>); llama.cpp guesses it from token text when absent.
/// </summary>
public sealed record SpecialTokenIds(
    int? Bos = null,
    int? Eos = null,
    int? Eot = null,
    int? Pad = null,
    int? Unk = null,
    bool AddBos = false,
    bool AddEos = false)
{
    public static readonly SpecialTokenIds None = new();
}
