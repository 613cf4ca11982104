using LlmDistill.IO;
using LlmDistill.Options;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using static TorchSharp.torch;
using LlmDistill.Tokenization;
using LlmDistill.Training.OnPolicy;
using LlmDistill.Training.Data;

namespace LlmDistill.Training;

/// <summary>
/// The <c>train</c> stage: a student (random in a preset shape, a pretrained GGUF, or teacher layers) learns from a
/// trace folder whose tokenizer must be its own; or a run folder's checkpoint continues with its saved settings.
/// </summary>
public static class TrainRun
{
    public static TrainRunSummary Run(TrainSettings settings, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        OptionsException.ThrowIfInvalid(settings);
        string run = Path.GetFullPath(settings.OutputFolder);
        using var folderLock = RunFolderLock.Inside(run, "train");
        // What a killed run left half-written: a staged checkpoint, the plot's and the metrics log's temporaries.
        foreach (string output in new[] { Trainer.CheckpointFolderName, Trainer.PlotFileName, Trainer.MetricsFileName })
            OutputLeftovers.Clear(Path.Combine(run, output));
        if (settings.Resume) return Resume(run, settings, progress, cancellationToken);
        if (TrainingCheckpoint.Exists(Path.Combine(run, Trainer.CheckpointFolderName)))
            throw OptionsException.For<TrainSettings>(nameof(TrainSettings.OutputFolder), $"{run} already holds a training checkpoint: set {{Resume}} to continue it, or choose another folder");
        if (settings.OnPolicy.Enabled) return OnPolicyRun.Start(run, settings, progress, cancellationToken);

        var student = Initialize(settings);
        long parameters = Parameters(student.Model);
        Trainer trainer;
        try
        {
            TraceTokenizerCheck.Ensure(settings.Data.TracesFolder, student.Vocabulary, student.Model.Config.ArchitectureName);
            trainer = Trainer.Start(student.Model, student.Vocabulary, settings.Data.Open(student.Vocabulary, settings.Trainer), settings.Trainer, run);
        }
        catch
        {
            student.Model.Dispose();
            throw;
        }
        using (trainer)
        {
            settings.Data.Save(run);
            return new TrainRunSummary(trainer.Run(progress, cancellationToken), student.Origin, parameters, Resumed: false, Trainable(student.Model));
        }
    }

    static TrainRunSummary Resume(string run, TrainSettings settings, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        string checkpoint = Path.Combine(run, Trainer.CheckpointFolderName);
        if (!TrainingCheckpoint.Exists(checkpoint))
            throw OptionsException.For<TrainSettings>(nameof(TrainSettings.OutputFolder), $"{run} holds no training checkpoint to resume: leave out {{Resume}} to start a run");
        if (OnPolicyPlan.Exists(run)) return OnPolicyRun.Resume(run, settings, progress, cancellationToken);
        var data = TraceDataSettings.Load(run);
        var (_, state) = TrainingCheckpoint.Load(checkpoint);
        var batches = data.Open(VocabularyOf(checkpoint), state.Options);
        using var trainer = Trainer.Resume(run, batches, settings.Trainer.Steps);
        return new TrainRunSummary(trainer.Run(progress, cancellationToken), $"resumed at step {state.Step}", Parameters(trainer.Model), Resumed: true, Trainable(trainer.Model));
    }

    /// <summary>The student to train: its first weights, with adapters on them when LoRA is on (validated already).</summary>
    internal static InitializedStudent Initialize(TrainSettings s)
    {
        var student = InitialWeights(s);
        return s.Lora.Enabled ? WithAdapters(student, s) : student;
    }

    /// <summary>The student's first weights, by the one start <see cref="StudentOptions"/> names.</summary>
    static InitializedStudent InitialWeights(TrainSettings s)
    {
        var student = s.Student;
        var shape = s.Shape ?? (student.Shape is null ? null : StudentShape.Parse(student.Shape));
        if (student.InitPath is { } init) return StudentInitialization.FromGguf(init, shape, student.Shape);
        if (student.InitFromTeacherPath is { } teacher) return StudentInitialization.FromTeacherLayers(teacher, student.Layers);
        string teacherPath = student.TeacherPath!;
        string? chosen = null;
        if (shape is null)
        {
            var summary = Models.ModelFileSummary.Read(teacherPath);
            (chosen, shape) = StudentShape.DefaultFor(summary.ParameterCount, summary.VocabularySize ?? 0);
        }
        var initialized = StudentInitialization.Random(shape, teacherPath, s.Trainer.Seed);
        return chosen is null ? initialized : initialized with { Origin = $"{initialized.Origin}, default shape {chosen}" };
    }

    /// <summary>Freezes the base (the init GGUF) and adds seeded adapters; the base's hash ties every checkpoint to it.</summary>
    static InitializedStudent WithAdapters(InitializedStudent student, TrainSettings s)
    {
        string basePath = Path.GetFullPath(s.Student.InitPath!);
        try
        {
            random.manual_seed(s.Trainer.Seed);
            student.Model.AttachLora(new LoraBase(s.Lora, basePath, FileHash.Sha256(basePath)));
        }
        catch
        {
            student.Model.Dispose();
            throw;
        }
        var lora = s.Lora;
        return student with { Origin = $"{student.Origin}, frozen, with rank-{lora.Rank} adapters (alpha {lora.EffectiveAlpha:0.###}) on {string.Join(", ", lora.TargetList)}" };
    }

    static TokenizerVocabulary VocabularyOf(string checkpoint) => StudentCheckpoint.ReadVocabulary(checkpoint);

    static long Parameters(StudentModel model) => model.parameters().Sum(p => p.numel());

    static long Trainable(StudentModel model) => model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
}
