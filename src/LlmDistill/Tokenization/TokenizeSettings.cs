using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Tokenization;

/// <summary>Options of <c>llmdistill tokenize</c>: which vocabulary, which text, and whether to compare with llama.cpp.</summary>
public sealed record TokenizeSettings : IValidatedOptions
{
    [OptionName("model", "-m"), PathOption, Description("A GGUF model (its vocabulary) or a Hugging Face tokenizer.json (tokenizer_config.json beside it is read too).")]
    public required string ModelPath { get; init; }

    [Description("The text to tokenize.")]
    public string? Text { get; init; }

    [OptionName("file", "-f"), PathOption, Description("A file of JSON strings, one per line: prints one JSON array of ids per line.")]
    public string? FilePath { get; init; }

    [Description("Parse special-token text (<|im_start|>, <s>...) as special tokens; BOS/EOS are never added.")]
    public bool Special { get; init; }

    [Description("Print JSON (ids and pieces) instead of a table.")]
    public bool Json { get; init; }

    [Description("Also run llama.cpp's tokenizer on the GGUF and report the first difference.")]
    public bool Compare { get; init; }

    /// <inheritdoc/>
    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
    [
        OptionChecks.FileExists(nameof(ModelPath), ModelPath),
        OptionChecks.FileExists(nameof(FilePath), FilePath),
        (Text is null) == (FilePath is null) ? new OptionError(nameof(Text), "or {FilePath} must be given, and not both") : null,
        Compare && !ModelPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase)
            ? new OptionError(nameof(Compare), "needs a GGUF {ModelPath} (llama.cpp cannot read tokenizer.json)") : null,
    ]);
}
