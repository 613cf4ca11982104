using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Options;
using System.Diagnostics;
using System.Reflection;
using LlmDistill.Generation.Datasets;
using LlmDistill.IO;
using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;
using LlmDistill.Traces;

namespace LlmDistill.Evaluation;

/// <summary>What an eval run produced: the report (also in <see cref="OutputFolder"/>/metrics.json) and its predictions.</summary>
public sealed record EvalOutcome(EvalReport Report, IReadOnlyList<Prediction> Predictions, string OutputFolder, TimeSpan Wall);

/// <summary>
/// The evaluation stage: the teacher and every student answer the same held-out questions with the same prompt,
/// chat-template handling, extractor and llama.cpp engine; each is timed on its own and, given held-out teacher
/// traces, scored token by token against the teacher. Every input is checked before any model runs, and the report
/// folder appears whole at the end or not at all.
/// </summary>
public static class EvalRun
{
    public static EvalOutcome Run(EvalSettings settings, IProgress<EvalProgress>? progress = null, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        OptionsException.ThrowIfInvalid(settings);
        using var folderLock = RunFolderLock.Beside(settings.OutputFolder, "eval");
        OutputLeftovers.Clear(settings.OutputFolder); // a killed run's work and staging folders
        var template = settings.Prompt.Load();
        var dataset = DatasetReader.Open(settings.DataPath, settings.Dataset);
        var questions = (settings.Limit is long limit ? dataset.Take((int)Math.Min(limit, int.MaxValue)) : dataset).ToList();
        if (questions.Count == 0) throw new InvalidDataException($"the data set {settings.DataPath} holds no questions: there is nothing to evaluate.");

        // Beside the report rather than in /tmp: a killed run's exported students are then cleared by the next run.
        var work = Directory.CreateDirectory($"{Path.GetFullPath(settings.OutputFolder).TrimEnd(Path.DirectorySeparatorChar)}.tmp-work-{Environment.ProcessId}");
        try
        {
            var models = ResolveModels(settings, work.FullName);
            var traces = settings.TracesPath is null ? null : ReadTraces(settings.TracesPath, settings.TraceLimit, models[0]);
            var results = new List<ModelResult>();
            var predictions = new List<Prediction>();
            for (int i = 0; i < models.Count; i++)
            {
                var (result, answers) = Evaluate(i, models[i], questions, template, traces, settings, progress, cancel);
                results.Add(result);
                predictions.AddRange(answers);
            }
            var header = new EvalReport
            {
                ToolVersion = typeof(EvalRun).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev",
                Dataset = $"{dataset.Name}/{dataset.Split}", PromptTemplate = template.Name, Raw = settings.Prompt.Raw,
                Samples = settings.TemperatureSamples, SampleTemperature = settings.TemperatureSamples > 0 ? settings.Sampling.TemperatureFor(settings.Samples) : 0,
                MaxTokens = settings.Sampling.MaxTokens,
                Traces = traces is null ? null : new TraceSetInfo(settings.TracesPath!, traces.Count, traces.Sum(t => (long)t.CompletionTokenCount)),
            };
            var report = EvalReport.Build(header, results, predictions);
            ReportFolder.Write(settings.OutputFolder, report, predictions, settings.Force);
            return new EvalOutcome(report, predictions, Path.GetFullPath(settings.OutputFolder), clock.Elapsed);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    static (ModelResult Result, IReadOnlyList<Prediction> Predictions) Evaluate(int index, ModelUnderTest model, IReadOnlyList<DatasetRow> questions,
        PromptTemplate template, IReadOnlyList<TraceRecord>? traces, EvalSettings settings, IProgress<EvalProgress>? progress, CancellationToken cancel)
    {
        void Report(string phase, long done, long total) => progress?.Report(new EvalProgress(index, model.Name, phase, done, total));
        Report("loading", 0, questions.Count);
        // A remote teacher answers on its servers: here its GGUF is only the tokenizer and chat template, so there is no
        // local speed to time and no local distribution to score traces with.
        bool remote = model.Role == ModelRole.Teacher && settings.Remote.Enabled;
        using var llama = GgufModel.Load(model.GgufPath, new GgufModelOptions { GpuLayers = settings.Engine.GpuLayers, VocabOnly = remote, AdapterPath = model.AdapterPath });
        using var teacher = remote ? new RemoteTeacher(llama, settings.Remote, topK: 1, settings.Engine.Parallel) : null;
        if (teacher is not null)
            model = model with { Name = teacher.ModelId, Source = $"{teacher.ModelId} at {string.Join(" ", teacher.Servers)} (tokenizer {model.Source})" };
        var answers = ModelAnswering.Answer(llama, model.Name, questions, template, settings,
            new InlineProgress(done => Report("answering", done, questions.Count)), cancel, teacher);
        Report("timing", questions.Count, questions.Count);
        var speed = remote ? null : SpeedProbe.Measure(llama, answers.GreedyTokens, settings.Engine.Threads);
        TraceScore? score = null;
        if (traces is not null && !remote)
            score = TraceScorer.Score(llama, traces, settings.Engine.Threads, new InlineProgress(done => Report("scoring traces", done, traces.Count)), cancel);
        double seconds = answers.Stats.Wall.TotalSeconds;
        var result = model.Facts() with
        {
            PrefillTokensPerS = speed?.PrefillTokensPerS, DecodeTokensPerS = speed?.DecodeTokensPerS,
            SecondsPerQuestion = seconds / questions.Count,
            GeneratedTokensPerS = seconds > 0 ? answers.Stats.GeneratedTokens / seconds : null,
            KlTeacherModel = score?.KlTeacherModel, NllTeacherTokens = score?.NllTeacherTokens, ScoredTokens = score?.Tokens,
        };
        Report("done", questions.Count, questions.Count);
        return (result, answers.Predictions);
    }

    /// <summary>Teacher first, then students with unique names; a student with another tokenizer is refused before anything runs.</summary>
    static List<ModelUnderTest> ResolveModels(EvalSettings settings, string work)
    {
        var teacher = ModelUnderTest.Resolve(settings.TeacherPath, ModelRole.Teacher, work);
        var models = new List<ModelUnderTest> { teacher };
        foreach (string path in settings.StudentPaths)
        {
            var student = ModelUnderTest.Resolve(path, ModelRole.Student, work, settings.StudentType, settings.StudentAdapterPath);
            if (student.TokenizerFingerprint != teacher.TokenizerFingerprint)
                throw new InvalidDataException($"the student {path} uses a different tokenizer from the teacher {settings.TeacherPath}: a distilled student must share the teacher's vocabulary for its answers and token statistics to compare.");
            string name = student.Name;
            for (int n = 2; models.Any(m => m.Name == name); n++) name = $"{student.Name}-{n}";
            models.Add(student with { Name = name });
        }
        return models;
    }

    /// <summary>The first usable held-out traces, after checking they were tokenized like the teacher.</summary>
    static IReadOnlyList<TraceRecord> ReadTraces(string path, int limit, ModelUnderTest teacher)
    {
        var parts = TracePartFiles.List(path);
        if (parts.Count == 0) throw new InvalidDataException($"{path} holds no trace part files.");
        var provenance = TraceReader.ReadProvenance(parts[0]);
        if (provenance.TokenizerFingerprint != teacher.TokenizerFingerprint)
            throw new InvalidDataException($"the traces in {path} were tokenized with another tokenizer than the teacher {teacher.Source}'s: their token ids mean other words.");
        var traces = TraceReader.Read(path).Where(TraceScorer.Usable).Take(limit).ToList();
        if (traces.Count == 0) throw new InvalidDataException($"none of the traces in {path} can be scored (each needs prompt and completion tokens and a captured top-k).");
        return traces;
    }

    /// <summary>Reports on the caller's thread (System.Progress would post to a thread pool).</summary>
    sealed class InlineProgress(Action<long> report) : IProgress<long>, IProgress<int>
    {
        public void Report(long value) => report(value);
        public void Report(int value) => report(value);
    }
}
