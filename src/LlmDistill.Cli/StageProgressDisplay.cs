using LlmDistill.Pipeline;
using Spectre.Console;

namespace LlmDistill.Cli;

/// <summary>One progress bar per stage of a multi-stage run (demo, pipeline): a stage's bar fills when the next starts.</summary>
static class StageProgressDisplay
{
    public static T Run<T>(IAnsiConsole console, Func<IProgress<StageProgress>, T> work)
    {
        T result = default!;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var bars = new Dictionary<string, ProgressTask>();
                result = work(new InlineProgress<StageProgress>(p =>
                {
                    foreach (var (stage, earlier) in bars)
                        if (stage != p.Stage && !earlier.IsFinished) earlier.Value = earlier.MaxValue;
                    if (!bars.TryGetValue(p.Stage, out var bar)) bars[p.Stage] = bar = context.AddTask(p.Stage, maxValue: 1);
                    bar.MaxValue = Math.Max(p.Total, 1e-9);
                    bar.Value = Math.Min(p.Done, bar.MaxValue);
                    bar.Description = Markup.Escape($"{p.Stage,-9} {p.Detail}");
                }));
                foreach (var bar in bars.Values) bar.Value = bar.MaxValue;
            });
        return result;
    }
}
