using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Student;
using LlmDistill.Export;
using System.Diagnostics;
using LlmDistill.Demo.Arithmetic;
using LlmDistill.Evaluation;
using LlmDistill.Generation;
using LlmDistill.Pipeline;
using LlmDistill.Tokenization;
using LlmDistill.Traces;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using LlmDistill.Training.OnPolicy;

namespace LlmDistill.Demo;

/// <summary>What <c>llmdistill demo</c> was asked to do.</summary>
public sealed record DemoSettings
{
    public required string OutputFolder { get; init; }
    public DemoRecipe Recipe { get; init; } = DemoRecipe.Full;
    /// <summary>Where trained teachers are kept between runs.</summary>
    public string CacheFolder { get; init; } = DemoTeacher.DefaultCacheFolder;
    /// <summary>Times each student is trained (overrides the recipe's <see cref="DemoRecipe.Seeds"/>).</summary>
    public int? Seeds { get; init; }
}

/// <summary>
/// The whole pipeline on the built-in task, through the same stages a user runs on a downloaded GGUF teacher:
/// teacher (trained once, cached) → <c>generate</c> (self-consistency, top-k) → three equal students
/// ((a) question → answer, (b) teacher rationales with likelihood only, (c) KL + rationale likelihood) →
/// export to GGUF → <c>eval</c> on the held-out split → report and <c>summary.json</c>.
/// </summary>
public static class DemoRun
{
    public const string PromptFileName = "demo-arith.yaml";

    public static DemoSummary Run(DemoSettings settings, IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var stages = new Dictionary<string, double>();
        var lap = Stopwatch.StartNew();
        void Lap(string stage) { stages[stage] = Math.Round(lap.Elapsed.TotalSeconds, 1); lap.Restart(); }
        var recipe = settings.Recipe;
        string output = Path.GetFullPath(settings.OutputFolder);
        string data = Path.Combine(output, "data");
        Directory.CreateDirectory(data);

        progress?.Report(new StageProgress(DemoStage.Data, "writing the task's questions", 0, 1));
        string prompt = WritePrompt(output);
        var heldOut = DemoData.HeldOut(recipe.Task, recipe.HeldOutQuestions);
        string heldOutPath = Path.Combine(data, "heldout.jsonl");
        ArithmeticJsonl.Write(heldOutPath, heldOut);
        string poolPath = Path.Combine(data, "pool.jsonl");
        ArithmeticJsonl.Write(poolPath, DemoData.Problems(recipe.Task, recipe.PoolSeed, recipe.PoolQuestions, heldOut));

        Lap(DemoStage.Data);
        var teacherRecipe = recipe.BorrowTeacherOf is { } lender && Named(lender) is { } borrowed
            && borrowed.Task == recipe.Task && File.Exists(DemoTeacher.CachedPath(borrowed, settings.CacheFolder)) ? borrowed : recipe;
        var teacher = DemoTeacher.Obtain(teacherRecipe, settings.CacheFolder, prompt, heldOut, progress, cancel);
        Lap(DemoStage.Teacher);

        string traces = Path.Combine(output, "traces");
        GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teacher.Path, DataPath = poolPath, OutputFolder = traces, Prompt = new() { Template = prompt, Raw = true },
            Samples = recipe.Samples, Capture = new() { TopK = recipe.CaptureTopK }, Keep = recipe.Keep, Force = true,
            Sampling = new() { Temperature = recipe.Temperature, MaxTokens = recipe.MaxTokens, Seed = recipe.PoolSeed },
            Engine = new() { Parallel = recipe.Parallel, ContextPerSequence = 256 },
        }, StageProgress.ForGenerate(DemoStage.Generate, progress), cancel);
        cancel.ThrowIfCancellationRequested();
        var generated = TraceSummary.Read(traces); // the whole folder: a rerun may have resumed finished questions
        Lap(DemoStage.Generate);

        string answers = Path.Combine(output, "gold-answers");
        if (Directory.Exists(answers)) Directory.Delete(answers, recursive: true);
        GoldTraces.Write(poolPath, Generation.Prompts.PromptTemplate.Load(prompt), TokenizerGgufMetadata.ReadFile(teacher.Path), answers, GoldTraces.Form.AnswerOnly);

        string students = Path.Combine(output, "students");
        int seeds = settings.Seeds ?? recipe.Seeds;
        if (seeds < 1) throw new ArgumentException($"The demo trains each student at least once: seeds is {seeds}.");
        bool onPolicy = recipe.OnPolicySteps > 0, control = onPolicy && recipe.OffPolicyControl;
        string[] kinds = [DemoStage.Baseline, DemoStage.Rationale, DemoStage.Distilled, .. onPolicy ? [DemoStage.OnPolicy] : Array.Empty<string>(),
            .. control ? [DemoStage.Continued] : Array.Empty<string>()];
        var trained = kinds.ToDictionary(k => k, _ => new List<TrainedStudent>());
        var kindSeconds = kinds.ToDictionary(k => k, _ => 0.0);
        void Done(string kind, TrainedStudent student) { trained[kind].Add(student); kindSeconds[kind] += lap.Elapsed.TotalSeconds; lap.Restart(); }
        for (int s = 0; s < seeds; s++)
        {
            long seed = recipe.PoolSeed + s; // seed 0 is the single-seed demo's
            Done(DemoStage.Baseline, TrainStudent(recipe, StudentName("baseline", s), DemoStage.Baseline, answers, alpha: 0, teacher.Path, students, seed, progress, cancel));
            Done(DemoStage.Rationale, TrainStudent(recipe, StudentName("rationale", s), DemoStage.Rationale, traces, alpha: 0, teacher.Path, students, seed, progress, cancel));
            var distilled = TrainStudent(recipe, StudentName("distilled", s), DemoStage.Distilled, traces, recipe.DistilledAlpha, teacher.Path, students, seed, progress, cancel);
            Done(DemoStage.Distilled, distilled);
            if (onPolicy)
                Done(DemoStage.OnPolicy, ContinuedStudent(recipe, StudentName("onpolicy", s), distilled.Run, onPolicy: true, traces, teacher.Path, students, seed, progress, cancel));
            if (control)
                Done(DemoStage.Continued, ContinuedStudent(recipe, StudentName("continued", s), distilled.Run, onPolicy: false, traces, teacher.Path, students, seed, progress, cancel));
        }
        foreach (var kind in kinds) stages[kind] = Math.Round(kindSeconds[kind], 1);
        lap.Restart();

        // Models in the report: teacher, then per seed the students in stage order.
        var studentPaths = Enumerable.Range(0, seeds).SelectMany(s => kinds.Select(k => trained[k][s].Gguf)).ToList();
        var eval = EvalRun.Run(new EvalSettings
        {
            TeacherPath = teacher.Path, StudentPaths = studentPaths, DataPath = heldOutPath,
            OutputFolder = Path.Combine(output, "report"), Prompt = new() { Template = prompt, Raw = true }, Force = true,
            Sampling = new() { MaxTokens = recipe.MaxTokens }, Engine = new() { Parallel = recipe.Parallel, ContextPerSequence = 256 },
        }, StageProgress.ForEval(DemoStage.Evaluate, models: 1 + studentPaths.Count, progress), cancel);

        Lap(DemoStage.Evaluate);
        var models = eval.Report.Models;
        int Index(string kind, int seed) => 1 + seed * kinds.Length + Array.IndexOf(kinds, kind);
        DemoStudentResult Result(string kind) => DemoStudentResult.Of(
            [.. Enumerable.Range(0, seeds).Select(s => models[Index(kind, s)].Accuracy ?? 0)], models[Index(kind, 0)].Params,
            Math.Round(trained[kind].Sum(t => t.Wall.TotalSeconds), 1));
        // Each (seed, question) is one paired observation of two students.
        IReadOnlyList<Prediction> Pooled(string kind) => [.. Enumerable.Range(0, seeds).SelectMany(s =>
            eval.Predictions.Where(p => p.Model == models[Index(kind, s)].Name).Select(p => p with { QuestionId = $"{s}/{p.QuestionId}" }))];
        (string, string)[] pairs = [(DemoStage.Rationale, DemoStage.Distilled),
            .. onPolicy ? [(DemoStage.Distilled, DemoStage.OnPolicy), (DemoStage.Rationale, DemoStage.OnPolicy)] : Array.Empty<(string, string)>(),
            .. control ? [(DemoStage.Distilled, DemoStage.Continued), (DemoStage.Continued, DemoStage.OnPolicy)] : Array.Empty<(string, string)>()];
        var summary = new DemoSummary
        {
            Recipe = recipe.Name, TeacherRecipe = teacherRecipe.Name,
            TeacherAccuracy = models[0].Accuracy ?? 0, HeldoutQuestions = models[0].Questions,
            WallSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            TeacherParams = models[0].Params, TeacherCached = teacher.Cached, TeacherTrainingSeconds = Math.Round(teacher.TrainingWall.TotalSeconds, 1),
            Baseline = Result(DemoStage.Baseline), Rationale = Result(DemoStage.Rationale), Distilled = Result(DemoStage.Distilled),
            Onpolicy = onPolicy ? Result(DemoStage.OnPolicy) : null, Continued = control ? Result(DemoStage.Continued) : null, Seeds = seeds,
            PooledComparisons = [.. pairs.Select(p => PairedComparison.Compare(p.Item1, Pooled(p.Item1), p.Item2, Pooled(p.Item2)))],
            PoolQuestions = recipe.PoolQuestions, KeptTraces = generated.Kept, TeacherPoolAccuracy = generated.Accuracy ?? 0,
            Report = eval.OutputFolder, StageSeconds = stages, Bars = [],
        };
        summary = summary with { Bars = DemoBars.Check(summary, recipe) };
        summary.Save(Path.Combine(output, DemoSummary.FileName));
        DemoSummaryMarkdown.Write(summary, Path.Combine(output, DemoSummaryMarkdown.FileName));
        return summary;
    }

    static DemoRecipe? Named(string name) => DemoRecipe.Named.GetValueOrDefault(name);

    sealed record TrainedStudent(string Run, string Gguf, TimeSpan Wall);

    /// <summary>The student's folder and GGUF name: <c>distilled</c> for the first seed, <c>distilled-s1</c>, ... for the others.</summary>
    static string StudentName(string kind, int seed) => seed == 0 ? kind : $"{kind}-s{seed}";

    static TrainedStudent TrainStudent(DemoRecipe recipe, string name, string stage, string traces, double alpha, string teacher,
        string students, long seed, IProgress<StageProgress>? progress, CancellationToken cancel)
    {
        string run = Path.Combine(students, name);
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        var summary = TrainRun.Run(new TrainSettings
        {
            Data = new TraceDataSettings { TracesFolder = traces, MaxSequenceLength = recipe.StudentShape.ContextLength, EvaluationPercent = 2 },
            OutputFolder = run, Shape = recipe.StudentShape, Student = new() { TeacherPath = teacher },
            Trainer = TrainerOptions(recipe.StudentSteps, recipe.StudentBatchSize, recipe.StudentLearningRate, alpha, seed),
        }, StageProgress.ForTraining(stage, progress), cancel);
        if (summary.Training.Interrupted) throw new OperationCanceledException($"The {name} student's training was interrupted.");
        return Exported(recipe, run, name, stage, students, summary.Training.Wall, progress);
    }

    /// <summary>
    /// (d): the distilled student's checkpoint continued by on-policy rounds on the same pool's prompts and traces; or,
    /// with <paramref name="onPolicy"/> false, (c′): continued by the same steps and schedule on the traces alone.
    /// </summary>
    static TrainedStudent ContinuedStudent(DemoRecipe recipe, string name, string distilledRun, bool onPolicy, string traces, string teacher,
        string students, long seed, IProgress<StageProgress>? progress, CancellationToken cancel)
    {
        string stage = onPolicy ? DemoStage.OnPolicy : DemoStage.Continued;
        string run = Path.Combine(students, name);
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true);
        var summary = TrainRun.Run(new TrainSettings
        {
            Data = new TraceDataSettings { TracesFolder = traces, MaxSequenceLength = recipe.StudentShape.ContextLength, EvaluationPercent = 2 },
            OutputFolder = run,
            Student = new() { InitPath = Path.Combine(StudentExport.CheckpointFolder(distilledRun), StudentCheckpoint.WeightsFile), TeacherPath = teacher },
            Trainer = TrainerOptions(recipe.OnPolicySteps, recipe.StudentBatchSize, recipe.OnPolicyLearningRate, recipe.DistilledAlpha, seed),
            OnPolicy = new OnPolicyOptions
            {
                Enabled = onPolicy, Rounds = recipe.OnPolicyRounds, PromptsPerRound = recipe.OnPolicyPromptsPerRound, SamplesPerPrompt = 1,
                Divergence = Divergence.Parse(recipe.OnPolicyDivergence), Lambda = recipe.OnPolicyLambda, MaxTokens = recipe.MaxTokens,
                TopK = recipe.CaptureTopK, Engine = new() { Parallel = recipe.Parallel, ContextPerSequence = 256 },
            },
        }, StageProgress.ForTraining(stage, progress), cancel);
        if (summary.Training.Interrupted) throw new OperationCanceledException($"The {name} student's training was interrupted.");
        return Exported(recipe, run, name, stage, students, summary.Training.Wall, progress);
    }

    static TrainedStudent Exported(DemoRecipe recipe, string run, string name, string stage, string students, TimeSpan wall, IProgress<StageProgress>? progress)
    {
        string gguf = Path.Combine(students, name + ".gguf");
        progress?.Report(new StageProgress(stage, "exporting to GGUF", 1, 1));
        StudentExport.Export(run, gguf, ExportTypes.Parse(recipe.ExportType), $"llmdistill-demo-{name}");
        return new TrainedStudent(run, gguf, wall);
    }

    /// <summary>The demo's training settings: AdamW with warmup and cosine decay, no intermediate checkpoints or evals.</summary>
    internal static TrainerOptions TrainerOptions(int steps, int batchSize, double learningRate, double alpha, long seed) => new()
    {
        Steps = steps, BatchSize = batchSize, LearningRate = learningRate, MinLearningRate = learningRate / 10,
        WarmupSteps = Math.Min(100, steps / 10), EvalEvery = 0, EvalBatches = 5, CheckpointEvery = 0, LogEvery = 25, Seed = seed,
        // A 351-token vocabulary: a whole batch's logits fit at once, so one chunk.
        Loss = new DistillationLossOptions { Alpha = alpha, ChunkSize = 16_384 },
    };

    /// <summary>Writes the demo's prompt template (the built-in copy of prompts/demo-arith.yaml) into the output folder.</summary>
    static string WritePrompt(string output)
    {
        string path = Path.Combine(output, PromptFileName);
        File.WriteAllBytes(path, Generation.Prompts.BuiltInPrompts.Read(Path.GetFileNameWithoutExtension(PromptFileName)));
        return path;
    }
}
