using LlmDistill.Traces.Export;

namespace LlmDistill.Traces.Import;

/// <summary>Everything `llmdistill traces import` needs; defaults are what the CLI offers.</summary>
public sealed record TraceImportSettings
{
    /// <summary>A JSONL file in one of the conversation formats.</summary>
    public required string InputPath { get; init; }
    /// <summary>chat-jsonl, sharegpt or alpaca (<see cref="TraceExportFormats.IsConversation"/>).</summary>
    public required TraceExportFormat Format { get; init; }
    /// <summary>A GGUF whose vocabulary is the teacher's (and so the student's): token ids are computed with it.</summary>
    public required string TokenizerPath { get; init; }
    /// <summary>The trace folder to create; it must not exist or be empty.</summary>
    public required string OutputFolder { get; init; }
    /// <summary>The traces' dataset name; null = the input file name without extension.</summary>
    public string? DatasetName { get; init; }
    public string Split { get; init; } = "train";

    /// <summary>Problems with the settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(InputPath) || !File.Exists(InputPath)) errors.Add($"{nameof(InputPath)} '{InputPath}' does not exist");
        if (!Enum.IsDefined(Format) || !Format.IsConversation())
            errors.Add($"{nameof(Format)} must be chat-jsonl, sharegpt or alpaca (got {(Enum.IsDefined(Format) ? Format.ToName() : ((int)Format).ToString(System.Globalization.CultureInfo.InvariantCulture))})");
        if (string.IsNullOrWhiteSpace(TokenizerPath) || !File.Exists(TokenizerPath)) errors.Add($"{nameof(TokenizerPath)} '{TokenizerPath}' does not exist");
        if (string.IsNullOrWhiteSpace(OutputFolder)) errors.Add($"{nameof(OutputFolder)} is empty");
        else if (File.Exists(OutputFolder)) errors.Add($"{nameof(OutputFolder)} '{OutputFolder}' is a file");
        else if (Directory.Exists(OutputFolder) && Directory.EnumerateFileSystemEntries(OutputFolder).Any())
            errors.Add($"{nameof(OutputFolder)} '{OutputFolder}' is not empty; import into a new folder");
        foreach (var (name, value) in new[] { (nameof(DatasetName), DatasetName), (nameof(Split), Split) })
            if (value is not null && (value.Length == 0 || value.Contains('/')))
                errors.Add($"{name} '{value}' must be non-empty and contain no '/' (it is part of every trace key)");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem of <see cref="Errors"/>.</summary>
    public void Validate()
    {
        var errors = Errors();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
    }

    /// <summary><see cref="DatasetName"/>, or the input file's name with '/' impossible by construction.</summary>
    public string EffectiveDatasetName => DatasetName ?? Path.GetFileNameWithoutExtension(InputPath);
}
