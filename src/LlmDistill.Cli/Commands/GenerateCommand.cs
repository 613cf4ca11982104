using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Generation;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill generate`: a teacher answers a data set step by step; traces with top-k logprobs go to Parquet.</summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var command = new Command("generate",
            "Generate chain-of-thought traces with the teacher's top-k log-probabilities, as Parquet.\n" +
            "Example: llmdistill generate --teacher qwen2.5-7b-instruct-q4_k_m.gguf --data datasets/gsm8k-train.jsonl " +
            "--prompt cot-math --samples 4 --top-k 20 --out traces/gsm8k");
        var options = new CommandOptions<GenerateSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var summary = ProgressBar.Run(console, "generate", (IProgress<GenerateProgress> progress) => GenerateRun.Run(settings, progress, cancel.Token),
                p => (p.QuestionsDone, p.QuestionsTotal, $"{p.Rows} traces, {p.TokensPerSecond:F0} tok/s" + (p.Accuracy is double a ? $", accuracy {a:P1}" : "")));
            Render(summary, console);
            if (summary.Export is { } exported) TracesCommand.Render(exported, console);
            return summary.Interrupted ? CliErrors.Cancelled : 0;
        });
        return command;
    }

    static void Render(GenerateSummary s, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("generate").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("prompt template", s.PromptTemplate);
        Row("questions", $"{s.Questions}" + (s.ResumedQuestions > 0 ? $" (+{s.ResumedQuestions} already in the folder)" : ""));
        Row("samples (traces)", $"{s.Samples}");
        Row("tokens (prompt / generated)", $"{s.PromptTokens:N0} / {s.GeneratedTokens:N0}");
        Row("teacher accuracy", s.TeacherAccuracy is double a ? $"{a:P1}" : "no gold answers");
        Row("majority-vote accuracy", s.MajorityAccuracy is double m ? $"{m:P1}" : "no gold answers");
        Row("kept traces", $"{s.KeptTraces}");
        Row("finish reasons", string.Join(", ", s.FinishReasons.Select(f => $"{f.Key} {f.Value}")));
        Row("stored bytes per token", $"{s.BytesPerToken:F1} (max logprob error {s.MaxLogprobError:F4} nats)");
        if (s.SkippedInvalidRows > 0) Row("skipped invalid rows", $"{s.SkippedInvalidRows}");
        Row("wall time", $"{s.Wall.TotalSeconds:F1} s");
        Row("output", s.OutputFolder);
        console.Write(table);
        if (s.Interrupted) console.MarkupLine("[yellow]interrupted:[/] finished questions are saved; run the same command again to resume.");
    }
}
