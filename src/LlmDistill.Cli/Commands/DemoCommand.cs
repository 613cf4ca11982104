using System.CommandLine;
using LlmDistill.Demo;
using LlmDistill.Pipeline;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill demo`: the whole pipeline on the built-in arithmetic task, with a teacher the project trains itself.</summary>
static class DemoCommand
{
    public static Command Create()
    {
        var quick = new Option<bool>("--quick") { Description = "A smaller pool, students and held-out split, the same stages in under three minutes; uses the full demo's teacher when it is cached, else trains a small one." };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder (data, traces, students, report, summary.json).", DefaultValueFactory = _ => new DirectoryInfo("demo-out") };
        var recipe = new Option<string?>("--recipe") { Description = "full, quick, hard (issue 16: a wider-operand task, a teacher that is good but not perfect, students 1/20 of its size; run with --seeds 3), miniature (the test suite's few-second run) or a recipe JSON file (as recipe.json in the teacher cache); overrides --quick." };
        var seeds = new Option<int?>("--seeds") { Description = "Train each student N times with different seeds and report mean ± sd (default: the recipe's seeds, 1 for the presets)." };
        var cache = new Option<DirectoryInfo?>("--cache") { Description = "Where trained demo teachers are kept (default $LLMDISTILL_CACHE/demo or ~/.cache/llmdistill/demo)." };

        var command = new Command("demo",
            "Run the whole pipeline offline on a built-in task: multi-step arithmetic word problems.\n" +
            "A small Llama teacher is trained once on gold rationales and cached (its GGUF is then used only through llama.cpp),\n" +
            "answers a pool of questions with self-consistency and top-k logprobs, and three students a fifth its size learn from it:\n" +
            "(a) question -> answer only, (b) the teacher's rationales (likelihood), (c) distilled (KL to the teacher + rationale likelihood),\n" +
            "(d) (c) continued by on-policy rounds (the student samples, the teacher scores its tokens, reverse KL).\n" +
            "Each is exported to GGUF and evaluated with the teacher on held-out questions.\n" +
            "Example: llmdistill demo --out demo-out --seeds 3   (each student trained with 3 seeds: mean ± sd, McNemar on pooled predictions)")
        {
            quick, output, recipe, cache, seeds,
        };
        command.SetAction(parsed =>
        {
            string name = parsed.GetValue(recipe) ?? (parsed.GetValue(quick) ? "quick" : "full");
            var chosen = DemoRecipe.Parse(name);
            var settings = new DemoSettings { OutputFolder = parsed.GetValue(output)!.FullName, Recipe = chosen };
            if (parsed.GetValue(cache) is { } folder) settings = settings with { CacheFolder = folder.FullName };
            if (parsed.GetValue(seeds) is int n)
                settings = settings with { Seeds = n >= 1 ? n : throw new ArgumentException($"--seeds must be at least 1 (got {n}).") };
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            var summary = StageProgressDisplay.Run(console, progress => DemoRun.Run(settings, progress, cancel.Token));
            Render(summary, settings.OutputFolder, console);
            return 0;
        });
        return command;
    }

    static void Render(DemoSummary s, string output, IAnsiConsole console)
    {
        string Student(string label, DemoStudentResult r) => $"{label}: {r.MeanAndSd} held-out accuracy{(s.Seeds > 1 ? $" (mean ± sd over {s.Seeds} seeds)" : "")}, {r.Params / 1e3:F0}k parameters";
        console.WriteLine($"teacher: {s.TeacherAccuracy:P1} on {s.HeldoutQuestions} held-out questions, {s.TeacherParams / 1e3:F0}k parameters ({(s.TeacherCached ? "cached" : $"trained in {s.TeacherTrainingSeconds:F0} s")}{(s.TeacherRecipe != s.Recipe ? $", the {s.TeacherRecipe} recipe's" : "")})");
        console.WriteLine(Student("(a) baseline, answers only", s.Baseline));
        console.WriteLine(Student("(b) rationales, likelihood", s.Rationale));
        console.WriteLine(Student("(c) distilled, KL + likelihood", s.Distilled));
        if (s.Onpolicy is { } onPolicy) console.WriteLine(Student("(d) (c) + on-policy rounds", onPolicy));
        if (s.Continued is { } continued) console.WriteLine(Student("(c′) (c) + as many off-policy steps (control)", continued));
        foreach (var c in s.PooledComparisons)
            console.WriteLine($"{c.B} vs {c.A}: {100 * c.AccuracyDifference:+0.0;-0.0} points over {c.Questions} question × seed pairs, McNemar p = {c.PValue:G3}");
        console.WriteLine($"report: {Path.Combine(s.Report, LlmDistill.Evaluation.Reports.ReportFolder.HtmlFile)}; summary: {Path.Combine(output, DemoSummary.FileName)}; {s.WallSeconds / 60:F1} min");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("bar").AddColumn("measured").AddColumn("met");
        foreach (var bar in s.Bars) table.AddRow(Markup.Escape(bar.Name), Markup.Escape(bar.Measured), bar.Met ? "[green]yes[/]" : "[red]no[/]");
        console.Write(table);
    }
}
