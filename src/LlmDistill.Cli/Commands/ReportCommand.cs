using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.CommandLine;
using LlmDistill.Evaluation;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill report`: re-renders one report, or merges several, from metrics.json and predictions.parquet alone.</summary>
static class ReportCommand
{
    public static Command Create()
    {
        var inputs = new Argument<FileInfo[]>("metrics") { Description = "metrics.json files written by eval (each with its predictions.parquet beside it).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<DirectoryInfo?>("--out", "-o") { Description = "Report folder to write (default with one input: re-render that report in place)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing --out folder." };
        var command = new Command("report",
            "Re-render or merge evaluation reports without re-running models: scores, McNemar comparisons, charts and pages are rebuilt from the saved predictions.\n" +
            "Example: llmdistill report reports/r1/metrics.json reports/r2/metrics.json --out reports/r1-r2")
        {
            inputs, output, force,
        };
        command.SetAction(parsed =>
        {
            var paths = parsed.GetValue(inputs)!.Select(f => f.FullName).ToArray();
            var outFolder = parsed.GetValue(output)?.FullName;
            bool inPlace = outFolder is null;
            if (inPlace && paths.Length > 1) throw new ArgumentException("merging several reports needs --out: the folder for the merged report");
            outFolder ??= Path.GetDirectoryName(paths[0])!;
            bool replace = inPlace || parsed.GetValue(force) || Path.GetFullPath(outFolder) == Path.GetDirectoryName(paths[0]);
            var (report, predictions) = ReportMerge.Load(paths);
            ReportFolder.Write(outFolder, report, predictions, replace);
            EvalCommand.Render(report, outFolder, ConsoleOutput.For(parsed.InvocationConfiguration.Output));
            return 0;
        });
        return command;
    }
}
