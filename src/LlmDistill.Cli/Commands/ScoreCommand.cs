using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Scoring;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill score`: a teacher reads given prompt + completion tokens and writes its top-k log-probabilities for them.</summary>
static class ScoreCommand
{
    public static Command Create()
    {
        var command = new Command("score",
            "Score given traces with a teacher: its top-k log-probabilities, tail mass and the given token's log-probability at every " +
            "completion token, as a new trace folder, plus _nll.parquet (mean teacher NLL per row, for filtering).\n" +
            "Example: llmdistill score --teacher qwen2.5-7b-instruct-q4_k_m.gguf --traces traces/student-samples --out traces/scored");
        var options = new CommandOptions<ScoreSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var summary = ProgressBar.Run(console, "score", (IProgress<ScoreProgress> progress) => ScoreRun.Run(settings, progress, cancel.Token),
                p => (p.RowsDone, p.RowsTotal, $"{p.RowsDone} rows, {p.TokensPerSecond:F0} tok/s"));
            Render(summary, console);
            return summary.Interrupted ? CliErrors.Cancelled : 0;
        });
        return command;
    }

    static void Render(ScoreSummary s, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("score").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("rows", $"{s.Rows}" + (s.ResumedRows > 0 ? $" (+{s.ResumedRows} already in the folder)" : ""));
        if (s.EmptyRows > 0) Row("rows without completion tokens", $"{s.EmptyRows}");
        if (s.SkippedRows > 0) Row("skipped rows", $"{s.SkippedRows} (first: {s.FirstSkipReason})");
        Row("tokens (read / scored)", $"{s.DecodedTokens:N0} / {s.ScoredTokens:N0}");
        Row("mean teacher NLL", s.MeanNll is double nll ? $"{nll:F4} nats/token" : "no tokens scored");
        Row("scoring rate", $"{s.DecodedTokens / Math.Max(1e-9, s.ScoringWall.TotalSeconds):F0} tokens read/s");
        Row("max logprob error", $"{s.MaxLogprobError:F4} nats");
        Row("wall time", $"{s.Wall.TotalSeconds:F1} s");
        Row("output", $"{s.OutputFolder} (per-row NLL: {s.NllPath})");
        console.Write(table);
        if (s.Interrupted) console.MarkupLine("[yellow]interrupted:[/] scored rows are saved; run the same command again to resume.");
    }
}
