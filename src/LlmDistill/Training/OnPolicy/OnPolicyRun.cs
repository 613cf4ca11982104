using System.Diagnostics;
using System.Text.Json;
using LlmDistill.Export;
using LlmDistill.Options;
using LlmDistill.Scoring;
using LlmDistill.Student;
using LlmDistill.Tokenization;
using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training.OnPolicy;

/// <summary>What an on-policy run needs besides its trainer options and data: the teacher that scores, and the round settings.</summary>
internal sealed record OnPolicyPlan(string TeacherPath, OnPolicyOptions Options)
{
    public const string FileName = "onpolicy.json";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public static bool Exists(string run) => File.Exists(Path.Combine(run, FileName));

    public void Save(string run)
    {
        string path = Path.Combine(run, FileName), temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }

    public static OnPolicyPlan Load(string run) =>
        JsonSerializer.Deserialize<OnPolicyPlan>(File.ReadAllText(Path.Combine(run, FileName)), Json) ?? throw new InvalidDataException($"{Path.Combine(run, FileName)} is empty.");
}

/// <summary>One finished on-policy round: the student's samples and the teacher's mean NLL per sampled token (nats).</summary>
public sealed record OnPolicyRound(int Round, long Samples, long SampledTokens, double? TeacherNll, long StepAtEnd);

/// <summary>
/// The on-policy train stage. The run folder holds the trainer's checkpoint/, metrics.jsonl and data.json, the plan
/// (<see cref="OnPolicyPlan.FileName"/>), and per round <c>rounds/round-NNN/</c>: <c>student.gguf</c> (the student
/// that sampled), <c>samples/</c> (its completions with its own top-k) and <c>scored/</c> (the same rows with the
/// teacher's log-probabilities), each folder renamed into place only when complete. A round is: (a) export and sample,
/// (b) score, (c) train to the round's last step with <see cref="MixedBatches"/>, checkpoint. Resume finds the round
/// from the checkpoint's step and reuses the round's samples and scores; between rounds the student always passes
/// through the checkpoint, so a resumed run computes bit for bit what an uninterrupted one does (on CPU).
/// </summary>
internal static class OnPolicyRun
{
    public const string RoundsFolderName = "rounds";

    public static TrainRunSummary Start(string run, TrainSettings settings, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var plan = new OnPolicyPlan(Path.GetFullPath(settings.Student.TeacherPath!), settings.OnPolicy);
        var options = settings.Trainer with { Loss = settings.Trainer.Loss with { Divergence = plan.Options.Divergence } };
        var student = TrainRun.Initialize(settings);
        Trainer trainer;
        try
        {
            trainer = Trainer.Start(student.Model, student.Vocabulary, settings.Data.Open(student.Vocabulary, options), options, run);
        }
        catch
        {
            student.Model.Dispose();
            throw;
        }
        using (trainer)
        {
            settings.Data.Save(run);
            plan.Save(run);
            trainer.Run(stopAt: 0); // the first checkpoint, at step 0: every round starts from a checkpoint
        }
        return Rounds(run, plan, settings.Data, student.Origin, progress, cancel);
    }

    public static TrainRunSummary Resume(string run, TrainSettings settings, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var (_, state) = TrainingCheckpoint.Load(Path.Combine(run, Trainer.CheckpointFolderName));
        if (settings.Trainer.Steps is int steps && steps != state.TotalSteps)
            throw OptionsException.For<TrainSettings>("Trainer.Steps", $"cannot change on resume of an on-policy run: its rounds were planned for its {state.TotalSteps} steps");
        return Rounds(run, OnPolicyPlan.Load(run), TraceDataSettings.Load(run), $"resumed at step {state.Step}", progress, cancel);
    }

    static TrainRunSummary Rounds(string run, OnPolicyPlan plan, TraceDataSettings data, string origin, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        string checkpoint = Path.Combine(run, Trainer.CheckpointFolderName);
        var vocabulary = TokenizerGgufMetadata.ReadFile(Path.Combine(checkpoint, StudentCheckpoint.WeightsFile));
        var (_, state) = TrainingCheckpoint.Load(checkpoint);
        var options = plan.Options;
        var prompts = StudentSamples.Prompts(data.TracesFolder, data.EvaluationPercent);
        if (prompts.Count == 0) throw new InvalidDataException($"{data.TracesFolder} holds no training prompts for the student to answer.");

        var rounds = new List<OnPolicyRound>();
        TrainingSummary? last = null;
        long stepsThisRun = 0, firstStep = state.Step;
        for (int round = 0; round < options.Rounds; round++)
        {
            long end = options.RoundEnd(round, state.TotalSteps);
            if (state.Step >= end) continue;
            string folder = Path.Combine(run, RoundsFolderName, $"round-{round:D3}");
            var (scored, samples, tokens) = RoundData(folder, checkpoint, plan, prompts, state.Options.Seed, round, cancel);

            var teacherBatches = data.Open(vocabulary, state.Options);
            var studentBatches = new TraceTrainingBatches(scored, vocabulary, new TraceLoaderOptions
            {
                BatchSize = state.Options.BatchSize, Seed = state.Options.Seed + round, MaxSequenceLength = data.MaxSequenceLength,
                EvaluationPercent = 0, Keep = TraceKeepFilter.All,
            });
            using var trainer = Trainer.Resume(run, new MixedBatches(teacherBatches, studentBatches, options.Lambda, state.Options.Seed, round));
            last = trainer.Run(progress, cancel, stopAt: end);
            stepsThisRun += last.StepsThisRun;
            state = trainer.State;
            rounds.Add(new OnPolicyRound(round, samples, tokens, MeanNll(scored), state.Step));
            if (last.Interrupted) break;
        }
        last ??= Finished(run, state);
        var summary = last with { StepsThisRun = stepsThisRun, Wall = clock.Elapsed, TokensPerSecond = (state.TokensSeen - 0.0) / Math.Max(1e-9, clock.Elapsed.TotalSeconds) };
        using var model = StudentCheckpoint.Load(checkpoint).Model;
        return new TrainRunSummary(summary, origin, model.parameters().Sum(p => p.numel()), Resumed: firstStep > 0 || origin.StartsWith("resumed", StringComparison.Ordinal),
            model.parameters().Where(p => p.requires_grad).Sum(p => p.numel())) { Rounds = rounds };
    }

    /// <summary>
    /// The round's scored samples, made unless a finished earlier attempt left them: export the checkpoint's student,
    /// sample, score. Half-made folders of a killed attempt (staging names) are deleted first.
    /// </summary>
    static (string Scored, long Samples, long Tokens) RoundData(string folder, string checkpoint, OnPolicyPlan plan, IReadOnlyList<Traces.TraceRecord> prompts,
        long seed, int round, CancellationToken cancel)
    {
        var options = plan.Options;
        string gguf = Path.Combine(folder, "student.gguf"), samples = Path.Combine(folder, "samples"), scored = Path.Combine(folder, "scored");
        Directory.CreateDirectory(folder);
        foreach (string stale in Directory.EnumerateDirectories(folder, "*.staging-*")) Directory.Delete(stale, recursive: true);
        if (!Directory.Exists(scored))
        {
            if (!Directory.Exists(samples))
            {
                string temporary = $"{gguf}.tmp-{Environment.ProcessId}";
                StudentExport.Export(checkpoint, temporary, options.ExportType, $"llmdistill-onpolicy-round-{round}");
                File.Move(temporary, gguf, overwrite: true);
                long written = StudentSamples.Write(gguf, StudentSamples.ForRound(prompts, options.PromptsPerRound, seed, round), options, seed, round, samples, cancel);
                if (written == 0) throw new InvalidDataException($"The student of round {round} ({gguf}) wrote no completion tokens: nothing to score.");
            }
            string staging = $"{scored}.staging-{Guid.NewGuid():N}";
            ScoreRun.Run(new ScoreSettings
            {
                TeacherPath = plan.TeacherPath, TracesPath = samples, OutputFolder = staging, Capture = new() { TopK = options.TopK },
                Engine = options.Engine, AtTraceTopK = options.TeacherAtStudentTopK,
            }, cancel: cancel);
            cancel.ThrowIfCancellationRequested();
            Directory.Move(staging, scored);
        }
        var rows = RowNll.Read(Path.Combine(scored, RowNll.FileName));
        return (scored, rows.Count, rows.Sum(r => (long)r.Tokens));
    }

    /// <summary>Token-weighted mean teacher NLL of a scored folder's rows (nats per sampled token).</summary>
    static double? MeanNll(string scored)
    {
        var rows = RowNll.Read(Path.Combine(scored, RowNll.FileName)).Where(r => r.MeanNll is not null).ToList();
        long tokens = rows.Sum(r => (long)r.Tokens);
        return tokens == 0 ? null : rows.Sum(r => r.MeanNll!.Value * r.Tokens) / tokens;
    }

    static TrainingSummary Finished(string run, TrainingState state) => new(state.Step, state.TotalSteps, 0, false, null, null, state.TokensSeen, 0,
        TimeSpan.Zero, run, Path.Combine(run, Trainer.CheckpointFolderName), []);
}
