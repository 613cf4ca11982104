using System.CommandLine;
using LlmDistill.Pipeline;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill run pipeline.yaml`: generate → train → export → eval declared in one file; unchanged stages are skipped.</summary>
static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("pipeline") { Description = "The pipeline YAML file (see datasets/pipeline-gsm8k.yaml for every key, commented)." };
        var command = new Command("run",
            "Run a whole pipeline declared in one YAML file: generate -> train -> export -> eval, all under its 'out' folder.\n" +
            "A stage whose settings and inputs have not changed since it finished is skipped; an interrupted one resumes;\n" +
            "one whose settings changed starts over (and so do the stages after it).\n" +
            "Example: llmdistill run datasets/pipeline-gsm8k.yaml")
        {
            file,
        };
        command.SetAction(parsed =>
        {
            var pipeline = PipelineFile.Load(parsed.GetRequiredValue(file).FullName);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var outcomes = StageProgressDisplay.Run(console, progress => PipelineRun.Run(pipeline, progress, cancel.Token));
            var table = new Table().Border(TableBorder.Rounded).AddColumn("stage").AddColumn("ran").AddColumn("seconds").AddColumn("result");
            foreach (var o in outcomes)
                table.AddRow(Markup.Escape(o.Stage), o.Skipped ? "skipped" : "yes", o.Skipped ? "" : $"{o.Seconds:F1}", Markup.Escape(o.Result));
            console.Write(table);
            return 0;
        });
        return command;
    }
}
