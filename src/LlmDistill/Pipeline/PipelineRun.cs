using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Diagnostics;
using LlmDistill.Evaluation;
using LlmDistill.Export;
using LlmDistill.Generation;
using LlmDistill.IO;
using LlmDistill.Training;

namespace LlmDistill.Pipeline;

/// <summary>What one stage of a pipeline run did: ran or was skipped as unchanged, how long it took, and a one-line result.</summary>
public sealed record StageOutcome(string Stage, bool Skipped, double Seconds, string Result);

/// <summary>
/// <c>llmdistill run pipeline.yaml</c>: generate → train → (on-policy rounds, when the file has them) → export → eval in one folder. A stage whose settings and
/// inputs (files, and the keys of the stages it reads) are unchanged since it last finished is skipped; one that was
/// interrupted resumes (generate skips finished questions, train continues its checkpoint); one whose settings changed
/// starts over. Each stage is the same library call as its command.
/// </summary>
public static class PipelineRun
{
    public const string Generate = "generate", Train = "train", OnPolicy = "onpolicy", Export = "export", Eval = "eval";

    public static IReadOnlyList<StageOutcome> Run(PipelineFile pipeline, IProgress<StageProgress>? progress = null, CancellationToken cancel = default)
    {
        RequireInputs(pipeline);
        using var folderLock = RunFolderLock.Inside(pipeline.OutputFolder, "run " + pipeline.Path);
        var outcomes = new List<StageOutcome>();

        var g = pipeline.Generate;
        string generateKey = StageStamp.Key(g, g.TeacherPath, g.DataPath, g.Prompt.Template);
        outcomes.Add(RunStage(pipeline, Generate, generateKey, Directory.Exists(g.OutputFolder), restart =>
        {
            var summary = GenerateRun.Run(g with { Force = restart }, StageProgress.ForGenerate(Generate, progress), cancel);
            if (summary.Interrupted) throw new OperationCanceledException("generate was interrupted; run the pipeline again to resume it.");
            return $"{summary.Questions} questions, {summary.Samples} traces, teacher accuracy {Percent(summary.TeacherAccuracy)}, {summary.KeptTraces} kept";
        }));

        var t = pipeline.Train;
        string trainKey = StageStamp.Key(t, generateKey, t.Student.Shape, t.Student.InitPath, t.Student.InitFromTeacherPath);
        var trainStamp = new StageStamp(pipeline.OutputFolder, Train);
        bool resumable = trainStamp.WasInterrupted(trainKey) && TrainingCheckpoint.Exists(Path.Combine(t.OutputFolder, Trainer.CheckpointFolderName));
        outcomes.Add(RunStage(pipeline, Train, trainKey, Directory.Exists(t.OutputFolder), _ =>
        {
            if (!resumable && Directory.Exists(t.OutputFolder)) Directory.Delete(t.OutputFolder, recursive: true);
            var summary = TrainRun.Run(t with { Resume = resumable }, StageProgress.ForTraining(Train, progress), cancel);
            if (summary.Training.Interrupted) throw new OperationCanceledException("train was interrupted at a checkpoint; run the pipeline again to continue it.");
            return $"{summary.Parameters / 1e6:F2}M parameters, {summary.Training.Step} steps, loss {summary.Training.Loss?.Loss:F3}" + (resumable ? " (resumed)" : "");
        }));

        string studentKey = trainKey;
        if (pipeline.OnPolicy is { } op)
        {
            studentKey = StageStamp.Key(op, trainKey);
            var onPolicyStamp = new StageStamp(pipeline.OutputFolder, OnPolicy);
            bool onPolicyResumable = onPolicyStamp.WasInterrupted(studentKey) && TrainingCheckpoint.Exists(Path.Combine(op.OutputFolder, Trainer.CheckpointFolderName));
            outcomes.Add(RunStage(pipeline, OnPolicy, studentKey, Directory.Exists(op.OutputFolder), _ =>
            {
                if (!onPolicyResumable && Directory.Exists(op.OutputFolder)) Directory.Delete(op.OutputFolder, recursive: true);
                var summary = TrainRun.Run(op with { Resume = onPolicyResumable }, StageProgress.ForTraining(OnPolicy, progress), cancel);
                if (summary.Training.Interrupted) throw new OperationCanceledException("the on-policy rounds were interrupted at a checkpoint; run the pipeline again to continue them.");
                return $"{summary.Rounds.Count} rounds to step {summary.Training.Step}; teacher NLL of the student's samples "
                    + string.Join(" → ", summary.Rounds.Select(r => r.TeacherNll is double nll ? $"{nll:F3}" : "n/a")) + (onPolicyResumable ? " (resumed)" : "");
            }));
        }

        string exportKey = StageStamp.Key(pipeline.Export, studentKey);
        outcomes.Add(RunStage(pipeline, Export, exportKey, File.Exists(pipeline.StudentGguf), _ =>
        {
            progress?.Report(new StageProgress(Export, $"writing {Path.GetFileName(pipeline.StudentGguf)}", 0, 1));
            StudentExport.Export(pipeline.Export);
            return $"{pipeline.StudentGguf} ({new FileInfo(pipeline.StudentGguf).Length / 1e6:F1} MB)";
        }));

        var e = pipeline.Eval;
        string evalKey = StageStamp.Key(e, exportKey, e.TeacherPath, e.DataPath, e.Prompt.Template);
        outcomes.Add(RunStage(pipeline, Eval, evalKey, Directory.Exists(e.OutputFolder), _ =>
        {
            var outcome = EvalRun.Run(e, StageProgress.ForEval(Eval, models: 2, progress), cancel);
            var models = outcome.Report.Models;
            return $"teacher {Percent(models[0].Accuracy)}, student {Percent(models[1].Accuracy)}; report in {outcome.OutputFolder}";
        }));
        return outcomes;
    }

    /// <summary>Skips the stage when it finished with this key and its output is there; else runs it (restart = settings changed).</summary>
    static StageOutcome RunStage(PipelineFile pipeline, string stage, string key, bool outputExists, Func<bool, string> run)
    {
        var stamp = new StageStamp(pipeline.OutputFolder, stage);
        if (stamp.IsDone(key) && outputExists) return new StageOutcome(stage, Skipped: true, 0, "unchanged");
        bool restart = stamp.HasOtherKey(key);
        stamp.MarkStarted(key);
        var clock = Stopwatch.StartNew();
        string result = run(restart);
        stamp.MarkDone(key);
        return new StageOutcome(stage, Skipped: false, Math.Round(clock.Elapsed.TotalSeconds, 1), result);
    }

    /// <summary>Every input file must exist before anything is written: a typo should not leave a half-made run folder.</summary>
    static void RequireInputs(PipelineFile p)
    {
        foreach (var (key, path) in new[]
        {
            ("teacher", p.Teacher), ("generate.data", p.Generate.DataPath), ("train.init", p.Train.Student.InitPath),
            ("train.init_from_teacher", p.Train.Student.InitFromTeacherPath), ("eval.data", p.Eval.DataPath),
        })
            if (path is not null && !File.Exists(path))
                throw new FileNotFoundException($"{p.Path}: {key} names {path}, which does not exist.");
    }

    static string Percent(double? value) => value is double v ? $"{v:P1}" : "n/a";
}
