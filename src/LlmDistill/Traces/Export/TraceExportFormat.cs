namespace LlmDistill.Traces.Export;

/// <summary>The files `traces export` writes, each for the tools that read it (docs/trace-export.md).</summary>
public enum TraceExportFormat
{
    /// <summary>JSONL, <c>{"messages":[{role, content}…]}</c>: OpenAI fine-tuning, TRL SFTTrainer, Axolotl chat_template.</summary>
    ChatJsonl,
    /// <summary>JSONL, <c>{"conversations":[{from, value}…]}</c> with from = system, human, gpt.</summary>
    ShareGpt,
    /// <summary>JSONL, <c>{"instruction", "input", "output"}</c> (+ <c>system</c> when there is one).</summary>
    Alpaca,
    /// <summary>Parquet: the trace schema with the top-k blobs decoded into plain list columns.</summary>
    ParquetDecoded,
    /// <summary>JSONL for Axolotl's knowledge-distillation plugin: messages, token ids, loss mask and per-token top-k.</summary>
    KdTopK,
}

/// <summary>The command-line names of <see cref="TraceExportFormat"/> and what each implies.</summary>
public static class TraceExportFormats
{
    public static IReadOnlyList<string> Names { get; } = ["chat-jsonl", "sharegpt", "alpaca", "parquet-decoded", "kd-topk"];

    public static string ToName(this TraceExportFormat format) => format switch
    {
        TraceExportFormat.ChatJsonl => "chat-jsonl",
        TraceExportFormat.ShareGpt => "sharegpt",
        TraceExportFormat.Alpaca => "alpaca",
        TraceExportFormat.ParquetDecoded => "parquet-decoded",
        TraceExportFormat.KdTopK => "kd-topk",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    public static TraceExportFormat Parse(string name) => name?.Trim().ToLowerInvariant() switch
    {
        "chat-jsonl" => TraceExportFormat.ChatJsonl,
        "sharegpt" => TraceExportFormat.ShareGpt,
        "alpaca" => TraceExportFormat.Alpaca,
        "parquet-decoded" => TraceExportFormat.ParquetDecoded,
        "kd-topk" => TraceExportFormat.KdTopK,
        _ => throw new ArgumentException($"unknown export format '{name}' (expected {string.Join(", ", Names)})"),
    };

    /// <summary>One JSON object per line (all but Parquet); these get a <c>*.provenance.json</c> sidecar.</summary>
    public static bool IsJsonLines(this TraceExportFormat format) => format != TraceExportFormat.ParquetDecoded;

    /// <summary>The supervised fine-tuning formats, which `traces import` reads back.</summary>
    public static bool IsConversation(this TraceExportFormat format) =>
        format is TraceExportFormat.ChatJsonl or TraceExportFormat.ShareGpt or TraceExportFormat.Alpaca;

    public static string FileExtension(this TraceExportFormat format) => format.IsJsonLines() ? ".jsonl" : ".parquet";
}
