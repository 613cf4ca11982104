using LlmDistill.Pipeline;
using Spectre.Console;

namespace LlmDistill.Cli;

/// <summary>One live progress bar over a single stage call: what the stage reports sets its fill and its one-line description.</summary>
static class ProgressBar
{
    /// <param name="show">done and total (any unit), and the line to show, for one progress report</param>
    public static TResult Run<TProgress, TResult>(IAnsiConsole console, string name, Func<IProgress<TProgress>, TResult> work,
        Func<TProgress, (double Done, double Total, string Description)> show)
    {
        TResult result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(name), maxValue: 1);
                result = work(new InlineProgress<TProgress>(p =>
                {
                    var (done, total, description) = show(p);
                    task.MaxValue = Math.Max(1, total);
                    task.Value = done;
                    task.Description = Markup.Escape(description);
                }));
                task.Value = task.MaxValue;
            });
        return result;
    }
}
