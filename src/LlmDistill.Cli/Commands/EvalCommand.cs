using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Evaluation;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill eval`: teacher and students answer the same held-out questions; a report shows what the students kept.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var command = new Command("eval",
            "Evaluate students against their teacher on held-out questions: accuracy with 95% intervals, agreement, retention, size, speed, " +
            "optional per-token KL, and McNemar p-values between models. Writes metrics.json, report.md, report.html and predictions.parquet.\n" +
            "Example: llmdistill eval --data datasets/heldout.jsonl --teacher teacher.gguf --student runs/distilled --student runs/baseline --out reports/r1");
        var options = new CommandOptions<EvalSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            EvalOutcome outcome = null!;
            string[] names = [Path.GetFileNameWithoutExtension(settings.TeacherPath), .. settings.StudentPaths.Select(s => Path.GetFileName(Path.TrimEndingDirectorySeparator(s)))];
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var tasks = names.Select((name, i) => context.AddTask(Markup.Escape($"{name}: waiting"), autoStart: i == 0, maxValue: 1)).ToArray();
                    outcome = EvalRun.Run(settings, new InlineProgress<EvalProgress>(p =>
                    {
                        var task = tasks[p.ModelIndex];
                        if (!task.IsStarted) task.StartTask();
                        task.MaxValue = Math.Max(1, p.Total);
                        task.Value = p.Done;
                        task.Description = Markup.Escape($"{p.Model}: {p.Phase}");
                        if (p.Phase == "done") task.StopTask();
                    }), cancel.Token);
                });
            Render(outcome, console);
            return 0;
        });
        return command;
    }

    /// <summary>The model table, the one-line answer per student, and where the report is.</summary>
    public static void Render(EvalReport report, string folder, IAnsiConsole console)
    {
        // One column per model and a row per measure: a terminal is narrower than the list of measures.
        var table = new Table().Border(TableBorder.Rounded).AddColumn("");
        foreach (var model in report.Models) table.AddColumn(Markup.Escape(model.Name));
        foreach (var column in ModelTable.Columns(report).Skip(1))
            table.AddRow([Markup.Escape(column.Header), .. report.Models.Select(m => Markup.Escape(column.Value(m)))]);
        console.Write(table);
        var teacher = report.Models.First(m => m.Name == report.Teacher);
        foreach (var student in report.Models.Where(m => m.Role == ModelRole.Student))
            console.WriteLine(ReportText.Headline(student, teacher));
        foreach (var c in report.Comparisons.Where(c => c.OnlyA + c.OnlyB > 0))
            console.WriteLine($"{c.B} vs {c.A}: {ReportText.Percent(c.AccuracyDifference)} accuracy on {c.Questions} shared questions, McNemar {ReportText.PValue(c.PValue)}");
        console.WriteLine($"report: {Path.Combine(folder, ReportFolder.HtmlFile)}");
    }

    static void Render(EvalOutcome outcome, IAnsiConsole console) => Render(outcome.Report, outcome.OutputFolder, console);
}
