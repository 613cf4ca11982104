using LlmDistill.Export;
using System.Text.Json;
using LlmDistill.Demo.Arithmetic;
using LlmDistill.Generation.Prompts;
using LlmDistill.Gguf;
using LlmDistill.IO;
using LlmDistill.Pipeline;
using LlmDistill.Models;
using LlmDistill.Tokenization;
using LlmDistill.Tokenization.Training;
using LlmDistill.Training;

namespace LlmDistill.Demo;

/// <summary>A demo teacher GGUF, and whether it came from the cache.</summary>
internal sealed record DemoTeacherFile(string Path, bool Cached, TimeSpan TrainingWall);

/// <summary>
/// Makes the demo's teacher the way a user never has to: trains a byte-level BPE vocabulary on the task's text, trains
/// a Llama on gold rationales of fresh problems with the ordinary <c>train</c> stage (α = 0: likelihood only), and
/// exports it to GGUF. From then on it is used only through llama.cpp, like any downloaded teacher. The result is
/// cached under <c>$LLMDISTILL_CACHE/demo/teacher-KEY</c>, KEY being the recipe's hash; the folder appears whole.
/// </summary>
internal static class DemoTeacher
{
    public const string FileName = "teacher.gguf";

    /// <summary><c>$LLMDISTILL_CACHE/demo</c>, or <c>~/.cache/llmdistill/demo</c>.</summary>
    public static string DefaultCacheFolder => Path.Combine(
        Environment.GetEnvironmentVariable("LLMDISTILL_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmdistill"),
        "demo");

    public static string CachedPath(DemoRecipe recipe, string cacheFolder) => Path.Combine(cacheFolder, $"teacher-{recipe.TeacherKey}", FileName);

    /// <summary>The cached teacher of <paramref name="recipe"/>, trained first when the cache lacks it.</summary>
    public static DemoTeacherFile Obtain(DemoRecipe recipe, string cacheFolder, string promptPath, IReadOnlyCollection<ArithmeticProblem> heldOut,
        IProgress<StageProgress>? progress, CancellationToken cancel)
    {
        string path = CachedPath(recipe, cacheFolder);
        if (File.Exists(path)) return new DemoTeacherFile(path, Cached: true, TimeSpan.Zero);

        var started = DateTime.UtcNow;
        string final = Path.GetDirectoryName(path)!;
        string staging = $"{final}.partial-{Environment.ProcessId}";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            Train(recipe, staging, promptPath, heldOut, progress, cancel);
            FolderSwap.Replace(staging, final);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
        return new DemoTeacherFile(path, Cached: false, DateTime.UtcNow - started);
    }

    static void Train(DemoRecipe recipe, string folder, string promptPath, IReadOnlyCollection<ArithmeticProblem> heldOut,
        IProgress<StageProgress>? progress, CancellationToken cancel)
    {
        progress?.Report(new StageProgress(DemoStage.Teacher, "writing gold rationales", 0, 1));
        var problems = DemoData.Problems(recipe.Task, recipe.TaskSeed, recipe.TeacherProblems, heldOut);
        string problemsPath = Path.Combine(folder, "teacher-problems.jsonl");
        ArithmeticJsonl.Write(problemsPath, problems);

        var template = PromptTemplate.Load(promptPath);
        var vocabulary = TrainVocabulary(problems, template);
        // The train stage takes a random student's family and vocabulary from a GGUF; this one carries only those.
        string vocabularyCarrier = Path.Combine(folder, "vocabulary.gguf");
        ModelGgufWriter.Write(vocabularyCarrier, LlamaModelConfig.TinyLlama(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 1), GgmlType.F32, "llmdistill-demo-vocabulary");
        string gold = Path.Combine(folder, "gold-traces");
        GoldTraces.Write(problemsPath, template, vocabulary, gold, GoldTraces.Form.RationaleAndAnswer);

        var run = TrainRun.Run(new TrainSettings
        {
            Data = new TraceDataSettings { TracesFolder = gold, MaxSequenceLength = recipe.TeacherShape.ContextLength, EvaluationPercent = 1 },
            OutputFolder = Path.Combine(folder, "training"),
            Shape = recipe.TeacherShape,
            Student = new() { TeacherPath = vocabularyCarrier },
            Trainer = DemoRun.TrainerOptions(recipe.TeacherSteps, recipe.TeacherBatchSize, recipe.TeacherLearningRate, alpha: 0, seed: recipe.TaskSeed),
        }, StageProgress.ForTraining(DemoStage.Teacher, progress), cancel);
        if (run.Training.Interrupted) throw new OperationCanceledException("The demo teacher's training was interrupted; nothing was cached.");

        StudentExport.Export(Path.Combine(folder, "training"), Path.Combine(folder, FileName), ExportTypes.Parse(recipe.ExportType), "llmdistill-demo-teacher");
        File.WriteAllText(Path.Combine(folder, "recipe.json"), JsonSerializer.Serialize(recipe, DemoSummary.Json));
        Directory.Delete(gold, recursive: true);
        Directory.Delete(run.Training.CheckpointFolder, recursive: true);
    }

    /// <summary>A BPE vocabulary trained on prompts and gold completions as the teacher will see them.</summary>
    static TokenizerVocabulary TrainVocabulary(IReadOnlyList<ArithmeticProblem> problems, PromptTemplate template)
    {
        const int corpusProblems = 5000; // plenty for a 351-token vocabulary; more only costs time
        return new BpeTrainer().Train(problems.Take(corpusProblems).Select(p => template.Render(p.Question).User + " " + p.GoldAnswer));
    }
}
