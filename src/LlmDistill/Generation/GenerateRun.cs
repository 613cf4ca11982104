using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using LlmDistill.Answers;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Gguf;
using LlmDistill.IO;
using LlmDistill.Models;
using LlmDistill.Options;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Generation;

/// <summary>
/// The generate stage: data set rows → prompts → teacher completions with soft targets → answers, votes, keep flags
/// → Parquet part files. Resumable: keys already in the output folder are skipped; a question's samples are written
/// together, so a crash never leaves half a question.
/// </summary>
public static class GenerateRun
{
    public static GenerateSummary Run(GenerateSettings settings, IProgress<GenerateProgress>? progress = null, CancellationToken cancel = default)
    {
        OptionsException.ThrowIfInvalid(settings);
        var clock = Stopwatch.StartNew();
        using var folderLock = RunFolderLock.Inside(settings.OutputFolder, "generate", settings.Shard.Count == 1 ? null : settings.Shard.Label);
        bool remote = settings.Remote.Enabled;
        // A remote teacher needs the GGUF only as its tokenizer and chat template: no weights are loaded.
        using var teacher = GgufModel.Load(settings.TeacherPath, new GgufModelOptions { GpuLayers = settings.Engine.GpuLayers, VocabOnly = remote });
        using ICompletionEngine engine = remote
            ? new RemoteTeacher(teacher, settings.Remote, settings.Capture.TopK, settings.Engine.Parallel)
            : new BatchedGenerator(teacher, settings.Engine.Generator(settings.Capture.TopK));
        var template = settings.Prompt.Load();
        var provenance = Provenance(settings, teacher, template, engine as RemoteTeacher);

        Directory.CreateDirectory(settings.OutputFolder);
        TraceReader.CleanStaleTemporaries(settings.OutputFolder);
        PrepareFolder(settings, provenance);
        HashSet<string> done = TraceReader.ReadKeys(settings.OutputFolder);

        var dataset = DatasetReader.Open(settings.DataPath, settings.Dataset);
        long total = CountQuestions(settings, dataset);
        var prompts = new TeacherPrompts(teacher, template, settings.Prompt.Raw);
        var sampling = settings.Sampling.For(settings.Samples);
        var tally = new Tally();
        var pending = new Dictionary<long, Question>();

        // Requests are produced lazily as generator slots free up, so memory holds only the questions in flight.
        IEnumerable<GenerationRequest> Requests()
        {
            long ordinal = 0;
            foreach (var row in Questions(settings, dataset))
            {
                var keys = Enumerable.Range(0, settings.Samples).Select(s => TraceKey.Format(dataset.Name, dataset.Split, row.Id, s)).ToArray();
                if (keys.All(done.Contains)) { tally.Resumed++; continue; }
                var (text, tokens) = prompts.Build(row.Question);
                long id = ordinal++;
                pending[id] = new Question(row, text, tokens, new Completion[settings.Samples]);
                for (int s = 0; s < settings.Samples; s++)
                    yield return new GenerationRequest(id * settings.Samples + s, tokens, sampling, settings.Sampling.MaxTokens, template.StopStrings)
                    {
                        SamplerStream = StableStream(row.Id, s),
                    };
            }
        }

        bool interrupted = false;
        TimeSpan decodeWall = TimeSpan.Zero, llamaDecode = TimeSpan.Zero;
        var generationClock = Stopwatch.StartNew();
        var writer = new TraceWriter(settings.OutputFolder, provenance, new TraceWriterOptions { Shard = settings.Shard.Label, PartRows = settings.RowsPerPart });
        try
        {
            try
            {
                foreach (var completion in engine.Generate(Requests(), cancel, prompts.SharedPrefix()))
                {
                    long id = completion.Index / settings.Samples;
                    var question = pending[id];
                    question.Completions[completion.Index % settings.Samples] = completion;
                    if (question.Completions.Any(c => c is null)) continue;
                    pending.Remove(id);
                    foreach (var record in Records(question, dataset, settings.Keep, tally)) writer.Write(record);
                    progress?.Report(tally.Progress(total, clock.Elapsed));
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                interrupted = true;
            }
            tally.PromptTokens += engine.LastStats?.PromptTokens ?? 0;
            decodeWall = engine.LastStats?.Wall ?? TimeSpan.Zero;
            llamaDecode = engine.LastStats?.LlamaDecode ?? TimeSpan.Zero;
        }
        finally
        {
            writer.Dispose(); // closes the last part file: every finished question is on disk, whole
        }

        generationClock.Stop();
        var stats = writer.Stats();
        // The data set in another trainer's format, from the whole folder (resumed questions included).
        var export = settings.Export is { } format && !interrupted
            ? TraceExport.Run(new TraceExportSettings
            {
                TracesPath = settings.OutputFolder, OutputPath = TraceExportSettings.BesideTraces(settings.OutputFolder, format), Format = format,
                PromptPath = settings.Prompt.Template ?? BuiltInPrompts.Default,
            }, cancellationToken: cancel)
            : null;
        return new GenerateSummary
        {
            OutputFolder = settings.OutputFolder, PromptTemplate = $"{template.Name} ({template.Path})", Export = export, Questions = tally.Questions, Samples = tally.Rows, ResumedQuestions = tally.Resumed,
            SkippedInvalidRows = dataset.Skipped, PromptTokens = tally.PromptTokens, GeneratedTokens = tally.GeneratedTokens,
            TeacherAccuracy = tally.SampleAccuracy, MajorityAccuracy = tally.MajorityAccuracy, KeptTraces = tally.Kept,
            FinishReasons = tally.FinishReasons, BytesPerToken = stats.BytesPerToken, MaxLogprobError = writer.Errors.MaxLogprobError,
            Wall = clock.Elapsed, GenerationWall = generationClock.Elapsed, DecodeWall = decodeWall, LlamaDecode = llamaDecode, Interrupted = interrupted,
        };
    }

    /// <summary>One question's samples, finished: answers extracted, compared with gold and with each other.</summary>
    static IEnumerable<TraceRecord> Records(Question question, DatasetReader dataset, KeepPolicy keep, Tally tally)
    {
        var extracted = question.Completions.Select(c => AnswerExtractor.Default.Extract(c.Text)).ToArray();
        var vote = MajorityVote.Count(extracted.Select(e => e.Answer).ToArray());
        string? gold = question.Row.GoldAnswer;
        tally.CountQuestion(gold is null ? null : vote.Answer is not null && AnswerComparer.Equivalent(vote.Answer, gold));
        for (int s = 0; s < question.Completions.Length; s++)
        {
            var completion = question.Completions[s];
            bool? correct = gold is null ? null : extracted[s].Answer is not null && AnswerComparer.Equivalent(extracted[s].Answer, gold);
            bool finishedWell = completion.FinishReason is FinishReason.EndOfGeneration or FinishReason.Stop;
            bool kept = keep.Keeps(finishedWell, extracted[s].Answer is not null, correct, vote.AgreesWithMajority[s]);
            tally.CountSample(completion, correct, kept);
            yield return TraceRecord.FromCompletion(completion, dataset.Name, dataset.Split, question.Row.Id, s, question.Row.Question, gold, question.PromptText, question.PromptTokens) with
            {
                Rationale = extracted[s].Rationale, Answer = extracted[s].Answer, Correct = correct,
                MajorityAnswer = vote.Answer, AgreesWithMajority = vote.AgreesWithMajority[s], Keep = kept,
            };
        }
    }

    static IEnumerable<DatasetRow> Questions(GenerateSettings settings, DatasetReader dataset)
    {
        var rows = dataset.Where(row => settings.Shard.Contains(row.Id));
        return settings.Limit is long limit ? rows.Take((int)Math.Min(limit, int.MaxValue)) : rows;
    }

    /// <summary>A counting pass over the data set for the progress bar's total (streams; cheap next to generation).</summary>
    static long CountQuestions(GenerateSettings settings, DatasetReader dataset) =>
        Questions(settings, DatasetReader.Open(settings.DataPath, settings.Dataset with { SkipInvalid = true })).LongCount();

    /// <summary>A sampler stream that depends only on the example id and sample index, not on run order or shard.</summary>
    static long StableStream(string exampleId, int sample)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{exampleId}\n{sample}"), hash);
        return BitConverter.ToInt64(hash);
    }

    /// <summary>Existing traces made with other settings would mix two experiments: refuse, or delete them with Force.</summary>
    static void PrepareFolder(GenerateSettings settings, TraceProvenance provenance)
    {
        if (TraceReader.OtherRun(settings.OutputFolder, existing => ProvenanceDifference(existing, provenance), settings.Force) is var (part, difference))
            throw OptionsException.For<GenerateSettings>(nameof(GenerateSettings.OutputFolder),
                $"holds {Path.GetFileName(part)}, generated with {difference}: set {{Force}} to delete the folder's traces and start over, or choose another folder");
    }

    static string? ProvenanceDifference(TraceProvenance a, TraceProvenance b) =>
        a.TeacherSha256 != b.TeacherSha256 ? $"another teacher ({a.TeacherFileName}, sha256 {a.TeacherSha256[..12]}…)"
        : a.PromptTemplateSha256 != b.PromptTemplateSha256 ? $"another prompt template ({a.PromptTemplateName})"
        : a with { ToolVersion = b.ToolVersion } != b ? "other generation settings (temperature, top-p, top-k, seed, samples, max tokens or context)"
        : null;

    static TraceProvenance Provenance(GenerateSettings settings, GgufModel teacher, PromptTemplate template, RemoteTeacher? remote) =>
        TeacherProvenance.Of(settings.TeacherPath, teacher.Architecture) with
        {
            // A remote teacher is named by the model id and servers; the file hashed is its tokenizer GGUF.
            TeacherFileName = remote is null ? Path.GetFileName(settings.TeacherPath)
                : TeacherProvenance.RemoteName(remote.ModelId, remote.Servers, settings.TeacherPath),
            Temperature = settings.EffectiveTemperature, TopP = settings.Sampling.TopP, TopKSampling = settings.Sampling.TopK, Seed = settings.Sampling.Seed,
            CaptureTopK = settings.Capture.TopK, ContextSize = settings.Engine.ContextPerSequence, MaxTokens = settings.Sampling.MaxTokens,
            Samples = settings.Samples, PromptTemplateName = template.Name, PromptTemplateSha256 = template.Hash,
        };

    sealed record Question(DatasetRow Row, string PromptText, int[] PromptTokens, Completion[] Completions);

    /// <summary>Running counts for progress and the summary.</summary>
    sealed class Tally
    {
        public long Questions, Rows, Resumed, PromptTokens, GeneratedTokens, Kept;
        long _samplesWithGold, _correctSamples, _questionsWithGold, _correctMajorities;
        readonly Stopwatch _clock = Stopwatch.StartNew();
        public Dictionary<string, long> FinishReasons { get; } = [];

        public double? SampleAccuracy => _samplesWithGold == 0 ? null : _correctSamples / (double)_samplesWithGold;
        public double? MajorityAccuracy => _questionsWithGold == 0 ? null : _correctMajorities / (double)_questionsWithGold;

        public void CountQuestion(bool? majorityCorrect)
        {
            Questions++;
            if (majorityCorrect is bool ok) { _questionsWithGold++; if (ok) _correctMajorities++; }
        }

        public void CountSample(Completion completion, bool? correct, bool kept)
        {
            Rows++;
            GeneratedTokens += completion.TokenIds.Length;
            if (kept) Kept++;
            if (correct is bool ok) { _samplesWithGold++; if (ok) _correctSamples++; }
            string reason = completion.FinishReason.ToName();
            FinishReasons[reason] = FinishReasons.GetValueOrDefault(reason) + 1;
        }

        public GenerateProgress Progress(long total, TimeSpan elapsed) =>
            new(Questions, Math.Max(0, total - Resumed), Rows, GeneratedTokens, GeneratedTokens / Math.Max(1e-9, _clock.Elapsed.TotalSeconds), SampleAccuracy, elapsed);

    }
}
