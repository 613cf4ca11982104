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
        var teacher = new Option<FileInfo>("--teacher", "-t") { Description = "Teacher GGUF model.", Required = true };
        var seedData = new Option<FileInfo>("--seed-data") { Description = "A few example questions (.jsonl, .csv or .parquet).", Required = true };
        var count = new Option<int>("--count", "-n") { Description = "How many new questions to write.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "JSONL file to write (id, question).", Required = true };
        var prompt = new Option<FileInfo>("--prompt") { Description = "Prompt template for writing questions.", DefaultValueFactory = _ => new FileInfo(Path.Combine("prompts", "synthesize-questions.yaml")) };
        var examples = new Option<int>("--examples") { Description = "Seed questions shown per prompt.", DefaultValueFactory = _ => 3 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature (variety).", DefaultValueFactory = _ => 0.9f };
        var seed = new Option<long>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 0 };
        var parallel = new Option<int>("--parallel") { Description = "Sequences decoded together.", DefaultValueFactory = _ => 8 };
        var raw = new Option<bool>("--raw") { Description = "Do not wrap the prompt in the teacher's chat template." };
        var command = new Command("synthesize",
            "Grow a question set: the teacher writes new questions in the style of seed examples, deduplicated (exact and near-duplicate).\n" +
            "Then answer them with self-consistency for pseudo-labels: llmdistill generate --data new.jsonl --samples 8 --keep majority ...\n" +
            "Example: llmdistill synthesize --teacher teacher.gguf --seed-data datasets/gsm8k-style-sample.jsonl --count 200 --out datasets/synthetic.jsonl")
            { teacher, seedData, count, output, prompt, examples, temperature, seed, parallel, raw };
        command.SetAction(parsed =>
        {
            var settings = new SynthesizeSettings
            {
                TeacherPath = parsed.GetRequiredValue(teacher).FullName, SeedDataPath = parsed.GetRequiredValue(seedData).FullName,
                PromptPath = parsed.GetRequiredValue(prompt).FullName, OutputPath = parsed.GetRequiredValue(output).FullName,
                Count = parsed.GetValue(count), ExamplesPerPrompt = parsed.GetValue(examples), Temperature = parsed.GetValue(temperature),
                Seed = parsed.GetValue(seed), Parallel = parsed.GetValue(parallel), Raw = parsed.GetValue(raw),
            };
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
