using LlmDistill.Options;

namespace LlmDistill.Traces.Export;

/// <summary>The files `traces export` writes, each for the tools that read it (docs/trace-export.md).</summary>
public enum TraceExportFormat
{
    /// <summary>JSONL, <c>{"messages":[{role, content}…]}</c>: OpenAI fine-tuning, TRL SFTTrainer, Axolotl chat_template.</summary>
    ChatJsonl,
    /// <summary>JSONL, <c>{"conversations":[{from, value}…]}</c> with from = system, human, gpt.</summary>
    Sharegpt,
    /// <summary>JSONL, <c>{"instruction", "input", "output"}</c> (+ <c>system</c> when there is one).</summary>
    Alpaca,
    /// <summary>Parquet: the trace schema with the top-k blobs decoded into plain list columns.</summary>
    ParquetDecoded,
    /// <summary>JSONL for Axolotl's knowledge-distillation plugin: messages, token ids, loss mask and per-token top-k.</summary>
    KdTopk,
}

/// <summary>The command-line names of <see cref="TraceExportFormat"/> and what each implies.</summary>
public static class TraceExportFormats
{
    /// <summary>The command-line name (<c>chat-jsonl</c>, <c>kd-topk</c>), by the options' one naming rule.</summary>
    public static string ToName(this TraceExportFormat format) => OptionValues.Format(format);

    public static TraceExportFormat Parse(string name) => (TraceExportFormat)OptionValues.Parse(name, typeof(TraceExportFormat))!;

    /// <summary>One JSON object per line (all but Parquet); these get a <c>*.provenance.json</c> sidecar.</summary>
    public static bool IsJsonLines(this TraceExportFormat format) => format != TraceExportFormat.ParquetDecoded;

    /// <summary>The supervised fine-tuning formats, which `traces import` reads back.</summary>
    public static bool IsConversation(this TraceExportFormat format) =>
        format is TraceExportFormat.ChatJsonl or TraceExportFormat.Sharegpt or TraceExportFormat.Alpaca;

    public static string FileExtension(this TraceExportFormat format) => format.IsJsonLines() ? ".jsonl" : ".parquet";
}
