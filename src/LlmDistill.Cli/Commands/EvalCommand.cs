using System.CommandLine;
using LlmDistill.Pipeline;
using LlmDistill.Evaluation;
using LlmDistill.Generation.Datasets;
using LlmDistill.Gguf;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill eval`: teacher and students answer the same held-out questions; a report shows what the students kept.</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var teacher = new Option<FileInfo>("--teacher", "-t") { Description = "Teacher GGUF model.", Required = true };
        var students = new Option<string[]>("--student", "-s") { Description = "A student: GGUF file, checkpoint folder or training-run folder. Repeat for several.", AllowMultipleArgumentsPerToken = false };
        var data = new Option<FileInfo>("--data", "-d") { Description = "Held-out questions: .jsonl, .csv or .parquet with gold answers.", Required = true };
        var prompt = new Option<FileInfo>("--prompt") { Description = "Prompt template every model gets (YAML, as for generate).", DefaultValueFactory = _ => new FileInfo("prompts/cot-math.yaml") };
        var output = new Option<DirectoryInfo>("--out", "-o") { Description = "Report folder: metrics.json, report.md, report.html, predictions.parquet.", Required = true };
        var traces = new Option<string?>("--traces") { Description = "Held-out teacher traces (folder or part file) for per-token KL(teacher ‖ student) and NLL." };
        var traceLimit = new Option<int>("--trace-limit") { Description = "Most traces scored per model.", DefaultValueFactory = _ => 200 };
        var samples = new Option<int>("--samples") { Description = "1 = greedy only; N > 1 also draws N samples per question and reports majority-vote (self-consistency) accuracy.", DefaultValueFactory = _ => 1 };
        var temperature = new Option<float>("--temperature") { Description = "Temperature of the --samples draws (the headline answer is always greedy).", DefaultValueFactory = _ => 0.7f };
        var seed = new Option<long>("--seed") { Description = "Random seed of the --samples draws.", DefaultValueFactory = _ => 0 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per answer.", DefaultValueFactory = _ => 512 };
        var parallel = new Option<int>("--parallel") { Description = "Sequences decoded together (continuous batching); the same for every model.", DefaultValueFactory = _ => 8 };
        var context = new Option<int>("--ctx") { Description = "KV cells per sequence (prompt + answer).", DefaultValueFactory = _ => 2048 };
        var limit = new Option<long?>("--limit") { Description = "Only the first N questions." };
        var raw = new Option<bool>("--raw") { Description = "Do not wrap prompts in the models' chat templates." };
        var studentType = new Option<string?>("--student-type") { Description = "Export checkpoint folders as f32, f16 or q8_0 before evaluating (default: their model.gguf as saved)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing report folder." };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Skip (and count) malformed data set rows instead of stopping." };
        var questionField = new Option<string>("--question-field") { Description = "Field holding the question.", DefaultValueFactory = _ => "question" };
        var answerField = new Option<string>("--answer-field") { Description = "Field holding the gold answer.", DefaultValueFactory = _ => "answer" };
        var idField = new Option<string>("--id-field") { Description = "Field holding a stable id (derived from the question when absent).", DefaultValueFactory = _ => "id" };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var gpuLayers = new Option<int>("--gpu-layers") { Description = "Layers to offload to a GPU (CUDA build only); the same for every model.", DefaultValueFactory = _ => 0 };

        var command = new Command("eval",
            "Evaluate students against their teacher on held-out questions: accuracy with 95% intervals, agreement, retention, size, speed, " +
            "optional per-token KL, and McNemar p-values between models. Writes metrics.json, report.md, report.html and predictions.parquet.\n" +
            "Example: llmdistill eval --data datasets/heldout.jsonl --teacher teacher.gguf --student runs/distilled --student runs/baseline --out reports/r1")
        {
            teacher, students, data, prompt, output, traces, traceLimit, samples, temperature, seed, maxTokens, parallel, context, limit, raw,
            studentType, force, skipInvalid, questionField, answerField, idField, threads, gpuLayers,
        };

        command.SetAction(parsed =>
        {
            var settings = new EvalSettings
            {
                TeacherPath = parsed.GetRequiredValue(teacher).FullName,
                StudentPaths = parsed.GetValue(students) ?? [],
                DataPath = parsed.GetRequiredValue(data).FullName,
                PromptPath = parsed.GetRequiredValue(prompt).FullName,
                OutputFolder = parsed.GetRequiredValue(output).FullName,
                TracesPath = parsed.GetValue(traces), TraceLimit = parsed.GetValue(traceLimit),
                Dataset = new DatasetReadOptions
                {
                    Fields = new DatasetFieldMap { Question = parsed.GetValue(questionField)!, Answer = parsed.GetValue(answerField)!, Id = parsed.GetValue(idField)! },
                    SkipInvalid = parsed.GetValue(skipInvalid),
                },
                Samples = parsed.GetValue(samples), Temperature = parsed.GetValue(temperature), Seed = parsed.GetValue(seed),
                MaxTokens = parsed.GetValue(maxTokens), Parallel = parsed.GetValue(parallel), ContextPerSequence = parsed.GetValue(context),
                Limit = parsed.GetValue(limit), Raw = parsed.GetValue(raw), StudentType = ParseType(parsed.GetValue(studentType)),
                Force = parsed.GetValue(force), Threads = parsed.GetValue(threads), GpuLayers = parsed.GetValue(gpuLayers),
            };
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

    static GgmlType? ParseType(string? name) => name?.ToLowerInvariant() switch
    {
        null => null,
        "f32" => GgmlType.F32,
        "f16" => GgmlType.F16,
        "q8_0" => GgmlType.Q8_0,
        _ => throw new ArgumentException($"--student-type must be f32, f16 or q8_0 (got '{name}')"),
    };

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
