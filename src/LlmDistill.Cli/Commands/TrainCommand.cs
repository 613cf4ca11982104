using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Training;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill train`: a student learns the teacher's traces (KL to its top-k distributions + rationale/answer likelihood).</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train",
            "Train a student on teacher traces: KL to the teacher's top-k distributions plus rationale/answer likelihood.\n" +
            "Examples:\n" +
            "  llmdistill train --traces traces/gsm8k --teacher qwen2.5-7b-instruct-q4_k_m.gguf --student 60m --out runs/s1 --steps 5000\n" +
            "  llmdistill train --traces traces/gsm8k --init-from-teacher qwen2.5-0.5b-instruct-f16.gguf --layers every-other --out runs/s2 --divergence jsd\n" +
            "  llmdistill train --traces traces/gsm8k --out runs/s1 --resume --steps 8000\n" +
            "  llmdistill train --on-policy --traces traces/gsm8k --init runs/s1/checkpoint/model.gguf --teacher teacher.gguf --out runs/op --steps 400 --rounds 4 --lambda 0.5");
        var options = new CommandOptions<TrainSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var summary = ProgressBar.Run(console, "train", (IProgress<TrainingProgress> progress) => TrainRun.Run(settings, progress, cancel.Token),
                p => (p.Step, p.TotalSteps, Describe(p)));
            Render(summary, console);
            return summary.Training.Interrupted ? CliErrors.Cancelled : 0;
        });
        return command;
    }

    static string Describe(TrainingProgress p)
    {
        if (p.Latest is not { } m) return $"step {p.Step}/{p.TotalSteps}";
        string eval = p.EvalLoss is double e ? $", eval {e:F3}" : "";
        return $"step {p.Step}/{p.TotalSteps}  loss {m.Loss:F3} (kl {m.Kl:F3}, nll {m.NllRationale:F3}/{m.NllAnswer:F3}){eval}, {m.TokensPerSecond:F0} tok/s";
    }

    static void Render(TrainRunSummary run, IAnsiConsole console)
    {
        var s = run.Training;
        var table = new Table().Border(TableBorder.Rounded).AddColumn("train").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
        Row("student", run.TrainableParameters == run.Parameters
            ? $"{run.Parameters / 1e6:F2}M parameters, {run.Origin}"
            : $"{run.Parameters / 1e6:F2}M parameters ({run.TrainableParameters / 1e6:F3}M trained), {run.Origin}");
        Row("steps", $"{s.Step} of {s.TotalSteps} ({s.StepsThisRun} in this run)");
        if (s.Loss is { } m)
            Row("loss (kl / nll rationale / nll answer)", $"{m.Loss:F4} ({m.Kl:F4} / {m.NllRationale:F4} / {m.NllAnswer:F4}) at step {m.Step}");
        Row("eval loss", s.EvalLoss is double e ? $"{e:F4}" : "no held-out traces");
        Row("tokens", $"{s.TokensSeen:N0} ({s.TokensPerSecond:F0} tok/s in this run)");
        Row("wall time", $"{s.Wall.TotalSeconds:F1} s");
        Row("checkpoint", s.CheckpointFolder);
        Row("metrics", s.MetricsPath + ", " + s.PlotPath);
        foreach (var round in run.Rounds)
            Row($"on-policy round {round.Round}", $"{round.Samples} samples, {round.SampledTokens} tokens, teacher NLL {round.TeacherNll:F3} nats/token; step {round.StepAtEnd}");
        foreach (string note in s.Notes) Row("note", note);
        console.Write(table);
        if (s.Interrupted) console.MarkupLine("[yellow]interrupted:[/] the checkpoint holds the last finished step; add --resume to the same command to continue.");
    }
}
