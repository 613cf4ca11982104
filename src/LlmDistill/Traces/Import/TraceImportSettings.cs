using System.ComponentModel;
using LlmDistill.Options;
using LlmDistill.Traces.Export;

namespace LlmDistill.Traces.Import;

/// <summary>Everything the trace import (<see cref="TraceImport"/>) needs; each default is the one place that default lives.</summary>
public sealed record TraceImportSettings : IValidatedOptions
{
    [OptionName("in", "-i"), PathOption, Description("JSONL file of single-turn conversations.")]
    public required string InputPath { get; init; }

    [OptionName("format", "-f"), Description("chat-jsonl, sharegpt or alpaca.")]
    public required TraceExportFormat Format { get; init; }

    [OptionName("teacher-tokenizer"), PathOption, Description("GGUF whose vocabulary is the teacher's (a model file; only its header is read).")]
    public required string TokenizerPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("New trace folder (must not exist or be empty).")]
    public required string OutputFolder { get; init; }

    [OptionName("dataset"), Description("Dataset name in the trace keys (default: the input file name).")]
    public string? DatasetName { get; init; }

    [Description("Split name in the trace keys.")]
    public string Split { get; init; } = "train";

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        string.IsNullOrWhiteSpace(InputPath) || !File.Exists(InputPath) ? new OptionError(nameof(InputPath), $"'{InputPath}' does not exist") : null,
        !Enum.IsDefined(Format) || !Format.IsConversation()
            ? new OptionError(nameof(Format), $"must be chat-jsonl, sharegpt or alpaca, not {(Enum.IsDefined(Format) ? Format.ToName() : ((int)Format).ToString(System.Globalization.CultureInfo.InvariantCulture))}") : null,
        string.IsNullOrWhiteSpace(TokenizerPath) || !File.Exists(TokenizerPath) ? new OptionError(nameof(TokenizerPath), $"'{TokenizerPath}' does not exist") : null,
        string.IsNullOrWhiteSpace(OutputFolder) ? new OptionError(nameof(OutputFolder), "is empty")
            : File.Exists(OutputFolder) ? new OptionError(nameof(OutputFolder), $"'{OutputFolder}' is a file")
            : Directory.Exists(OutputFolder) && Directory.EnumerateFileSystemEntries(OutputFolder).Any() ? new OptionError(nameof(OutputFolder), $"'{OutputFolder}' is not empty; import into a new folder") : null,
        DatasetName is { } name && (name.Length == 0 || name.Contains('/')) ? new OptionError(nameof(DatasetName), $"'{name}' must be non-empty and contain no '/' (it is part of every trace key)") : null,
        Split.Length == 0 || Split.Contains('/') ? new OptionError(nameof(Split), $"'{Split}' must be non-empty and contain no '/' (it is part of every trace key)") : null,
    ]);

    /// <summary><see cref="DatasetName"/>, or the input file's name with '/' impossible by construction.</summary>
    public string EffectiveDatasetName => DatasetName ?? Path.GetFileNameWithoutExtension(InputPath);
}
