using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Traces.Export;
using LlmDistill.Traces.Import;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill traces export|import`: traces out to other tools' training files, and SFT sets in as gold traces.</summary>
static class TracesCommand
{
    public static Command Create() => new("traces", "Move traces to and from the files other training tools use (docs/trace-export.md).")
    {
        CreateExport(), CreateImport(),
    };

    static Command CreateExport()
    {
        var command = new Command("export",
            "Write kept traces as chat-jsonl, sharegpt, alpaca, parquet-decoded or kd-topk, with a provenance sidecar.\n" +
            "Example: llmdistill traces export --traces traces/gsm8k --out gsm8k-sft.jsonl --format chat-jsonl --prompt cot-math");
        var options = new CommandOptions<TraceExportSettings>(command);
        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            var summary = Export(settings, console);
            Render(summary, console);
            return 0;
        });
        return command;
    }

    /// <summary>Runs an export under a progress bar.</summary>
    public static TraceExportSummary Export(TraceExportSettings settings, IAnsiConsole console)
    {
        using var cancel = CtrlC.Cancellation();
        return ProgressBar.Run(console, "export " + settings.Format.ToName(), (IProgress<TraceExportProgress> progress) => TraceExport.Run(settings, progress, cancel.Token),
            p => (p.RowsRead, p.RowsTotal, $"{settings.Format.ToName()}: {p.RowsWritten:N0} rows, {p.BytesWritten / 1e6:F1} MB"));
    }

    public static void Render(TraceExportSummary s, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("traces export").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("format", s.Format.ToName());
        Row("rows written / read", $"{s.RowsWritten:N0} / {s.RowsRead:N0}");
        if (s.RowsNotKept > 0) Row("left out (keep = false)", $"{s.RowsNotKept:N0}");
        if (s.RowsEmpty > 0) Row("left out (nothing to write)", $"{s.RowsEmpty:N0}");
        Row("completion tokens", $"{s.CompletionTokens:N0}");
        Row("output", $"{s.OutputPath} ({s.OutputBytes / 1e6:F1} MB, {s.BytesPerCompletionToken:F1} bytes per completion token)");
        if (s.ProvenancePath is { } p) Row("provenance", p);
        Row("throughput", $"{s.RowsPerSecond:F0} rows/s, {s.MegabytesPerSecond:F1} MB/s");
        console.Write(table);
    }

    static Command CreateImport()
    {
        var command = new Command("import",
            "Turn an existing SFT data set into gold traces (no teacher distributions, k = 0) that train reads.\n" +
            "Example: llmdistill traces import --in sft.jsonl --format chat-jsonl --teacher-tokenizer qwen2.5-7b-instruct-q4_k_m.gguf --out traces/sft");
        var options = new CommandOptions<TraceImportSettings>(command);
        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var summary = ProgressBar.Run(console, "import", (IProgress<TraceImportProgress> progress) => TraceImport.Run(settings, progress, cancel.Token),
                p => (p.BytesRead, p.BytesTotal, $"import: {p.Rows:N0} conversations"));
            console.MarkupLine(Markup.Escape($"wrote {summary.Rows:N0} gold traces ({summary.PromptTokens:N0} prompt + {summary.CompletionTokens:N0} completion tokens) to {summary.OutputFolder} in {summary.Wall.TotalSeconds:F1} s"));
            return 0;
        });
        return command;
    }
}
