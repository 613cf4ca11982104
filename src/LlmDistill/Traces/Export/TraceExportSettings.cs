using System.ComponentModel;
using LlmDistill.Generation.Prompts;
using LlmDistill.Options;

namespace LlmDistill.Traces.Export;

/// <summary>Everything the trace export (<see cref="TraceExport"/>) needs; each default is the one place that default lives.</summary>
public sealed record TraceExportSettings : IValidatedOptions
{
    [OptionName("traces", "-t"), PathOption, Description("A trace folder or one part file, as written by generate.")]
    public required string TracesPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("The file to write (replaced atomically when it exists).")]
    public required string OutputPath { get; init; }

    [OptionName("format", "-f"), Description("chat-jsonl, sharegpt, alpaca, parquet-decoded or kd-topk (docs/trace-export.md).")]
    public required TraceExportFormat Format { get; init; }

    [Description("Only rows whose keep column is true (what training reads); false exports every row with a completion.")]
    public bool KeepOnly { get; init; } = true;

    /// <summary>
    /// Teacher alternatives per completion token to write: null = every captured one for parquet-decoded and kd-topk,
    /// none for the conversation formats (which then add a <c>logprobs</c> field only when this is above 0).
    /// </summary>
    [Description("Teacher alternatives per token to write (default: all for parquet-decoded and kd-topk, none for the conversation formats).")]
    public int? IncludeLogprobs { get; init; }

    /// <summary>
    /// The prompt template the traces were made with (a file or a built-in name): system and user messages are rendered
    /// from it, as the teacher saw them before its chat template. Without it the user message is the question.
    /// </summary>
    [OptionName("prompt"), PathOption(mayBeName: true), Description("The prompt template the traces were made with (file or built-in name): system and user messages are rendered from it (default: the user message is the question).")]
    public string? PromptPath { get; init; }

    [OptionName("kd-logprobs"), Description("kd-topk alternatives as lists (logprobs + target_token_ids, Axolotl's kd.chat_template) or openai (vLLM token_id entries, kd.chat_template.load_legacy).")]
    public KdLogprobForm KdLogprobs { get; init; } = KdLogprobForm.Lists;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        string.IsNullOrWhiteSpace(TracesPath) ? new OptionError(nameof(TracesPath), "is empty")
            : !Directory.Exists(TracesPath) && !File.Exists(TracesPath) ? new OptionError(nameof(TracesPath), $"'{TracesPath}' is neither a trace folder nor a file") : null,
        string.IsNullOrWhiteSpace(OutputPath) ? new OptionError(nameof(OutputPath), "is empty")
            : Directory.Exists(OutputPath) ? new OptionError(nameof(OutputPath), $"'{OutputPath}' is a folder; give a file name")
            : ReadAsTracePart() ? new OptionError(nameof(OutputPath), $"'{OutputPath}' is a .parquet file inside {{TracesPath}}, where readers would take it for a trace part; start its name with '_' or write it elsewhere") : null,
        Enum.IsDefined(Format) ? null : new OptionError(nameof(Format), $"{(int)Format} is not a {nameof(TraceExportFormat)}"),
        IncludeLogprobs < 0 ? new OptionError(nameof(IncludeLogprobs), $"must be 0 or more, not {IncludeLogprobs}")
            : IncludeLogprobs == 0 && Format == TraceExportFormat.KdTopk ? new OptionError(nameof(IncludeLogprobs), "must be at least 1 for kd-topk, whose rows are the teacher's alternatives") : null,
        PromptPath is null || File.Exists(PromptPath) || BuiltInPrompts.Names.Contains(PromptPath) ? null : new OptionError(nameof(PromptPath), $"'{PromptPath}' is neither a file nor a built-in template"),
        Enum.IsDefined(KdLogprobs) ? null : new OptionError(nameof(KdLogprobs), $"{(int)KdLogprobs} is not a {nameof(KdLogprobForm)}"),
    ]);

    bool ReadAsTracePart() =>
        Directory.Exists(TracesPath) && OutputPath.EndsWith(TracePartFiles.Extension, StringComparison.OrdinalIgnoreCase)
        && Path.GetFileName(OutputPath) is var name && !name.StartsWith('_') && !name.StartsWith('.')
        && string.Equals(Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(OutputPath))!), Path.GetFullPath(TracesPath).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>Where `generate --export` puts a format: inside the trace folder, hidden from trace readers by its leading '_'.</summary>
    public static string BesideTraces(string folder, TraceExportFormat format) =>
        Path.Combine(folder, "_" + format.ToName() + format.FileExtension());
}
