using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Generation;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill synthesize`: the teacher writes new questions in the style of a few seeds.</summary>
static class SynthesizeCommand
{
    public static Command Create()
    {
        var command = new Command("synthesize",
            "Grow a question set: the teacher writes new questions in the style of seed examples, deduplicated (exact and near-duplicate).\n" +
            "Then answer them with self-consistency for pseudo-labels: llmdistill generate --data new.jsonl --samples 8 --keep majority ...\n" +
            "Example: llmdistill synthesize --teacher teacher.gguf --seed-data datasets/gsm8k-style-sample.jsonl --count 200 --out datasets/synthetic.jsonl");
        var options = new CommandOptions<SynthesizeSettings>(command);
        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            SynthesizeSummary summary = null!;
            console.Progress().Start(context =>
            {
                var task = context.AddTask("synthesize", maxValue: settings.Count);
                summary = SynthesizeRun.Run(settings, new InlineProgress<(int Written, int Wanted)>(p => task.Value = p.Written), cancel.Token);
            });
            console.MarkupLine(Markup.Escape($"wrote {summary.Written} new questions to {summary.OutputPath} ({summary.Attempts} attempts: " +
                                             $"{summary.ExactDuplicates} exact and {summary.NearDuplicates} near duplicates, {summary.Unusable} unusable) in {summary.Wall.TotalSeconds:F1} s"));
            if (summary.Written < settings.Count && !summary.Interrupted)
                console.MarkupLine("[yellow]fewer questions than asked:[/] the teacher repeated itself; raise --temperature or add seed questions.");
            return summary.Interrupted ? CliErrors.Cancelled : 0;
        });
        return command;
    }
}
