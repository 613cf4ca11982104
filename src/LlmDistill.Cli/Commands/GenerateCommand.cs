using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Generation;
using LlmDistill.Generation.Datasets;
using LlmDistill.Traces.Export;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill generate`: a teacher answers a data set step by step; traces with top-k logprobs go to Parquet.</summary>
static class GenerateCommand
{
    public static Command Create()
    {
        var teacher = new Option<FileInfo>("--teacher", "-t") { Description = "Teacher GGUF model (run by llama.cpp).", Required = true };
        var data = new Option<FileInfo>("--data", "-d") { Description = "Questions: .jsonl, .csv or .parquet (GSM8K's `answer` with `#### N` is understood).", Required = true };
        var prompt = new Option<FileInfo>("--prompt") { Description = "Prompt template (YAML, Semantic Kernel format), e.g. prompts/cot-math.yaml.", Required = true };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Output folder for Parquet part files (resumes if it exists).", Required = true };
        var samples = new Option<int>("--samples") { Description = "Samples per question; > 1 enables self-consistency (majority vote).", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { Description = "Teacher alternatives recorded per token (soft targets).", DefaultValueFactory = _ => 20 };
        var temperature = new Option<float?>("--temperature") { Description = "Sampling temperature (default: 0 for one sample, 0.7 for several). Stored logprobs are always at temperature 1." };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold.", DefaultValueFactory = _ => 0.95f };
        var seed = new Option<long>("--seed") { Description = "Random seed (each question's draws depend only on seed, id and sample).", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per completion.", DefaultValueFactory = _ => 512 };
        var parallel = new Option<int>("--parallel") { Description = "Sequences decoded together (continuous batching).", DefaultValueFactory = _ => 8 };
        var context = new Option<int>("--ctx") { Description = "KV cells per sequence (prompt + completion).", DefaultValueFactory = _ => 2048 };
        var keep = new Option<string>("--keep") { Description = "Which traces training sees: all, correct or majority (all rows are stored; this sets the keep column).", DefaultValueFactory = _ => "all" };
        var shard = new Option<string>("--shard") { Description = "i/n: generate only this machine's share (by hashed example id); machines can share one --out folder.", DefaultValueFactory = _ => "0/1" };
        var raw = new Option<bool>("--raw") { Description = "Do not wrap the prompt in the teacher's chat template." };
        var force = new Option<bool>("--force") { Description = "Delete traces in --out made with other settings and start over." };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Skip (and count) malformed data set rows instead of stopping." };
        var questionField = new Option<string>("--question-field") { Description = "Field holding the question.", DefaultValueFactory = _ => "question" };
        var answerField = new Option<string>("--answer-field") { Description = "Field holding the gold answer (optional in the data).", DefaultValueFactory = _ => "answer" };
        var idField = new Option<string>("--id-field") { Description = "Field holding a stable id (derived from the question when absent).", DefaultValueFactory = _ => "id" };
        var limit = new Option<long?>("--limit") { Description = "Only the first N questions." };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers to offload to a GPU (CUDA build only).", DefaultValueFactory = _ => 0 };
        var rowsPerPart = new Option<int>("--rows-per-part") { Description = "Traces per Parquet part file.", DefaultValueFactory = _ => 5000 };
        var export = new Option<string?>("--export") { Description = $"At the end, also write the kept traces as one of: {string.Join(", ", TraceExportFormats.Names)} (into --out as _<format>.jsonl|.parquet)." };

        var command = new Command("generate",
            "Generate chain-of-thought traces with the teacher's top-k log-probabilities, as Parquet.\n" +
            "Example: llmdistill generate --teacher qwen2.5-7b-instruct-q4_k_m.gguf --data datasets/gsm8k-train.jsonl " +
            "--prompt prompts/cot-math.yaml --samples 4 --top-k 20 --out traces/gsm8k")
        {
            teacher, data, prompt, output, samples, topK, temperature, topP, seed, maxTokens, parallel, context, keep, shard,
            raw, force, skipInvalid, questionField, answerField, idField, limit, threads, gpuLayers, rowsPerPart, export,
        };

        command.SetAction(parsed =>
        {
            var settings = new GenerateSettings
            {
                TeacherPath = parsed.GetRequiredValue(teacher).FullName,
                DataPath = parsed.GetRequiredValue(data).FullName,
                PromptPath = parsed.GetRequiredValue(prompt).FullName,
                OutputFolder = parsed.GetRequiredValue(output).FullName,
                Dataset = new DatasetReadOptions
                {
                    Fields = new DatasetFieldMap { Question = parsed.GetValue(questionField)!, Answer = parsed.GetValue(answerField)!, Id = parsed.GetValue(idField)! },
                    SkipInvalid = parsed.GetValue(skipInvalid),
                },
                Samples = parsed.GetValue(samples), CaptureTopK = parsed.GetValue(topK), Temperature = parsed.GetValue(temperature),
                TopP = parsed.GetValue(topP), Seed = parsed.GetValue(seed), MaxTokens = parsed.GetValue(maxTokens),
                Parallel = parsed.GetValue(parallel), ContextPerSequence = parsed.GetValue(context), Threads = parsed.GetValue(threads),
                GpuLayers = parsed.GetValue(gpuLayers), RowsPerPart = parsed.GetValue(rowsPerPart), Raw = parsed.GetValue(raw), Force = parsed.GetValue(force), Limit = parsed.GetValue(limit),
                Keep = KeepPolicies.Parse(parsed.GetValue(keep)!), Shard = ShardFilter.Parse(parsed.GetValue(shard)!),
            };
            // Parsed before the run, so a misspelt format fails in a second, not after hours of generation.
            TraceExportFormat? exportFormat = parsed.GetValue(export) is { } name ? TraceExportFormats.Parse(name) : null;
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            using var cancel = CtrlC.Cancellation();
            GenerateSummary summary = null!;
            console.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask("generate", maxValue: 1);
                    summary = GenerateRun.Run(settings, new InlineProgress<GenerateProgress>(p =>
                    {
                        task.MaxValue = Math.Max(1, p.QuestionsTotal);
                        task.Value = p.QuestionsDone;
                        string accuracy = p.Accuracy is double a ? $", accuracy {a:P1}" : "";
                        task.Description = Markup.Escape($"{p.Rows} traces, {p.TokensPerSecond:F0} tok/s{accuracy}");
                    }), cancel.Token);
                    task.Value = task.MaxValue;
                });
            Render(summary, console);
            if (summary.Interrupted) return CliErrors.Cancelled;
            if (exportFormat is { } f)
            {
                var exported = TracesCommand.Export(new TraceExportSettings
                {
                    TracesPath = settings.OutputFolder, OutputPath = TraceExportSettings.BesideTraces(settings.OutputFolder, f),
                    Format = f, PromptPath = settings.PromptPath,
                }, console);
                TracesCommand.Render(exported, console);
            }
            return 0;
        });
        return command;
    }

    static void Render(GenerateSummary s, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("generate").AddColumn("value");
        void Row(string name, string value) => table.AddRow(Markup.Escape(name), Markup.Escape(value));
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
