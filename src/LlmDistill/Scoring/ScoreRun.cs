using System.Diagnostics;
using LlmDistill.Gguf;
using LlmDistill.IO;
using LlmDistill.Options;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Traces;
using LlmDistill.Training.Data;

namespace LlmDistill.Scoring;

/// <summary>
/// The score stage: given prompt + completion token ids (traces from any source) → the teacher reads them with logits
/// at every completion position (<see cref="TeacherForcing"/> locally, <see cref="RemoteTeacherForcing"/> on servers
/// running `llmdistill serve`) → a new trace folder whose teacher columns (top-k ids and
/// log-probabilities, tail mass, the given token's log-probability) are this teacher's, every other column kept, plus
/// <see cref="RowNll.FileName"/> with each row's mean teacher NLL. Resumable: keys already in the output folder are skipped.
/// </summary>
public static class ScoreRun
{
    /// <summary>Scores <see cref="ScoreSettings.TracesPath"/> into <see cref="ScoreSettings.OutputFolder"/>; progress after every row; Ctrl-C keeps scored rows.</summary>
    public static ScoreSummary Run(ScoreSettings settings, IProgress<ScoreProgress>? progress = null, CancellationToken cancel = default)
    {
        OptionsException.ThrowIfInvalid(settings);
        var clock = Stopwatch.StartNew();
        using var folderLock = RunFolderLock.Inside(settings.OutputFolder, "score");

        // Managed checks of every input file before llama.cpp sees anything: the tokenizer of each part, then every row.
        var parts = TracePartFiles.List(settings.TracesPath);
        if (parts.Count == 0)
            throw OptionsException.For<ScoreSettings>(nameof(ScoreSettings.TracesPath), $"names {settings.TracesPath}, which holds no trace part files");
        using (var file = GgufFile.Open(settings.TeacherPath))
            TraceTokenizerCheck.Ensure(settings.TracesPath, TokenizerGgufMetadata.Read(file.Metadata), "the scoring teacher's", "score them with a teacher of the same vocabulary");
        long total = TraceReader.Read(settings.TracesPath).LongCount();

        // A remote teacher needs the GGUF only as its tokenizer (for provenance): no weights are loaded.
        bool remote = settings.Remote.Enabled;
        using var teacher = GgufModel.Load(settings.TeacherPath, new GgufModelOptions { GpuLayers = settings.Engine.GpuLayers, VocabOnly = remote });
        using IForcedScorer forcing = remote
            ? new RemoteTeacherForcing(settings.Remote, settings.Capture.TopK, settings.Engine.Parallel)
            : new TeacherForcing(teacher, settings.Engine, settings.Capture.TopK);
        var teacherFields = TeacherProvenance.Of(settings.TeacherPath, teacher.Architecture);
        if (forcing is RemoteTeacherForcing served)
            teacherFields = teacherFields with { TeacherFileName = TeacherProvenance.RemoteName(served.ModelId, served.Servers, settings.TeacherPath) };
        var provenance = TeacherProvenance.WithTeacher(TraceReader.ReadProvenance(parts[0]), teacherFields) with
        {
            CaptureTopK = settings.Capture.TopK, ContextSize = settings.Engine.ContextPerSequence,
        };

        Directory.CreateDirectory(settings.OutputFolder);
        TraceReader.CleanStaleTemporaries(settings.OutputFolder);
        PrepareFolder(settings, provenance);
        HashSet<string> done = TraceReader.ReadKeys(settings.OutputFolder);

        long resumed = 0, rows = 0, empty = 0, skipped = 0, scoredTokens = 0;
        double nll = 0;
        string? firstSkip = null;
        var pending = new Dictionary<long, TraceRecord>();
        IEnumerable<ForcedRow> Rows()
        {
            long index = 0;
            foreach (var trace in TraceReader.Read(settings.TracesPath))
            {
                if (done.Contains(trace.Key)) { resumed++; continue; }
                pending[index] = trace;
                yield return new ForcedRow(index++, trace.PromptTokenIds, trace.CompletionTokenIds, settings.AtTraceTopK ? trace.TopIds : null);
            }
        }

        bool interrupted = false;
        var scoringClock = Stopwatch.StartNew();
        var writer = new TraceWriter(settings.OutputFolder, provenance, new TraceWriterOptions { PartRows = settings.RowsPerPart });
        try
        {
            try
            {
                foreach (var scores in forcing.Score(Rows(), cancel))
                {
                    var trace = pending[scores.Index];
                    pending.Remove(scores.Index);
                    if (scores.Error is not null) { skipped++; firstSkip ??= $"{trace.Key}: {scores.Error}"; continue; }
                    if (trace.CompletionTokenCount == 0) empty++;
                    writer.Write(trace with
                    {
                        TopK = scores.TopK, SampledLogprobs = scores.SampledLogprobs, TopIds = scores.TopIds,
                        TopLogprobs = scores.TopLogprobs, TailMass = scores.TailMass,
                    });
                    rows++;
                    scoredTokens += scores.SampledLogprobs.Length;
                    foreach (float lp in scores.SampledLogprobs) nll -= lp;
                    progress?.Report(new ScoreProgress(rows + skipped, total - resumed, scoredTokens, scoredTokens / Math.Max(1e-9, scoringClock.Elapsed.TotalSeconds), clock.Elapsed));
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                interrupted = true;
            }
        }
        finally
        {
            writer.Dispose(); // closes the last part file: every scored row is on disk, whole
        }
        scoringClock.Stop();

        string nllPath = RowNll.WriteFor(settings.OutputFolder);
        return new ScoreSummary
        {
            OutputFolder = settings.OutputFolder, NllPath = nllPath, Rows = rows, ResumedRows = resumed, EmptyRows = empty, SkippedRows = skipped,
            FirstSkipReason = firstSkip, DecodedTokens = forcing.DecodedTokens, ScoredTokens = scoredTokens,
            MeanNll = scoredTokens == 0 ? null : nll / scoredTokens, MaxLogprobError = writer.Errors.MaxLogprobError,
            Wall = clock.Elapsed, ScoringWall = scoringClock.Elapsed, LlamaDecode = forcing.LlamaDecode, Interrupted = interrupted,
        };
    }

    /// <summary>Rows scored by another teacher or with another top-k would mix two experiments: refuse, or delete them with Force.</summary>
    static void PrepareFolder(ScoreSettings settings, TraceProvenance provenance)
    {
        string? Difference(TraceProvenance existing) =>
            existing.TeacherSha256 == provenance.TeacherSha256 && existing.CaptureTopK == provenance.CaptureTopK ? null
            : $"{existing.TeacherFileName} with top-k {existing.CaptureTopK}";
        if (TraceReader.OtherRun(settings.OutputFolder, Difference, settings.Force) is var (part, difference))
            throw OptionsException.For<ScoreSettings>(nameof(ScoreSettings.OutputFolder),
                $"holds {Path.GetFileName(part)}, scored by {difference}: set {{Force}} to delete the folder's traces and start over, or choose another folder");
    }
}
