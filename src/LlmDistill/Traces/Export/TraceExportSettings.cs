namespace LlmDistill.Traces.Export;

/// <summary>Everything `llmdistill traces export` needs; defaults are what the CLI offers.</summary>
public sealed record TraceExportSettings
{
    /// <summary>A trace folder or one part file, as written by generate.</summary>
    public required string TracesPath { get; init; }
    /// <summary>The file to write (replaced atomically when it exists).</summary>
    public required string OutputPath { get; init; }
    public required TraceExportFormat Format { get; init; }
    /// <summary>Only rows whose <c>keep</c> column is true (what training reads); false exports every row with a completion.</summary>
    public bool KeepOnly { get; init; } = true;
    /// <summary>
    /// Teacher alternatives per completion token to write: null = every captured one for parquet-decoded and kd-topk,
    /// none for the conversation formats (which then add a <c>logprobs</c> field only when this is above 0).
    /// </summary>
    public int? IncludeLogprobs { get; init; }
    /// <summary>
    /// The prompt template (YAML) the traces were made with: system and user messages are rendered from it, as the
    /// teacher saw them before its chat template. Without it the user message is the question (docs/trace-export.md).
    /// </summary>
    public string? PromptPath { get; init; }
    /// <summary>How kd-topk lines hold the alternatives.</summary>
    public KdLogprobForm KdLogprobs { get; init; } = KdLogprobForm.Lists;

    /// <summary>Problems with the settings, each naming the property; empty when valid.</summary>
    public IReadOnlyList<string> Errors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(TracesPath)) errors.Add($"{nameof(TracesPath)} is empty");
        else if (!Directory.Exists(TracesPath) && !File.Exists(TracesPath)) errors.Add($"{nameof(TracesPath)} '{TracesPath}' is neither a trace folder nor a file");
        if (string.IsNullOrWhiteSpace(OutputPath)) errors.Add($"{nameof(OutputPath)} is empty");
        else if (Directory.Exists(OutputPath)) errors.Add($"{nameof(OutputPath)} '{OutputPath}' is a folder; give a file name");
        else if (ReadAsTracePart()) errors.Add($"{nameof(OutputPath)} '{OutputPath}' is a .parquet file inside {nameof(TracesPath)}, where readers would take it for a trace part; start its name with '_' or write it elsewhere");
        if (!Enum.IsDefined(Format)) errors.Add($"{nameof(Format)} {(int)Format} is not a {nameof(TraceExportFormat)}");
        if (IncludeLogprobs < 0) errors.Add($"{nameof(IncludeLogprobs)} must be 0 or more (got {IncludeLogprobs})");
        else if (IncludeLogprobs == 0 && Format == TraceExportFormat.KdTopK) errors.Add($"{nameof(IncludeLogprobs)} must be at least 1 for kd-topk, whose rows are the teacher's alternatives");
        if (PromptPath is not null && !File.Exists(PromptPath)) errors.Add($"{nameof(PromptPath)} '{PromptPath}' does not exist");
        if (!Enum.IsDefined(KdLogprobs)) errors.Add($"{nameof(KdLogprobs)} {(int)KdLogprobs} is not a {nameof(KdLogprobForm)}");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem of <see cref="Errors"/>.</summary>
    public void Validate()
    {
        var errors = Errors();
        if (errors.Count > 0) throw new ArgumentException(string.Join("; ", errors));
    }

    bool ReadAsTracePart() =>
        Directory.Exists(TracesPath) && OutputPath.EndsWith(TracePartFiles.Extension, StringComparison.OrdinalIgnoreCase)
        && Path.GetFileName(OutputPath) is var name && !name.StartsWith('_') && !name.StartsWith('.')
        && string.Equals(Path.GetFullPath(Path.GetDirectoryName(Path.GetFullPath(OutputPath))!), Path.GetFullPath(TracesPath).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>Where `generate --export` puts a format: inside the trace folder, hidden from trace readers by its leading '_'.</summary>
    public static string BesideTraces(string folder, TraceExportFormat format) =>
        Path.Combine(folder, "_" + format.ToName() + format.FileExtension());
}
