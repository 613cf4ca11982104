using LlmDistill.Student;
using LlmDistill.Tokenization;

namespace LlmDistill.Training;

/// <summary>
/// The <c>train</c> stage: a student (random in a preset shape, a pretrained GGUF, or teacher layers) learns from a
/// trace folder whose tokenizer must be its own; or a run folder's checkpoint continues with its saved settings.
/// </summary>
public static class TrainRun
{
    public static TrainRunSummary Run(TrainSettings settings, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        string run = Path.GetFullPath(settings.OutputFolder);
        if (settings.Resume) return Resume(run, settings, progress, cancellationToken);

        var student = Initialize(settings);
        long parameters = Parameters(student.Model);
        Trainer trainer;
        try
        {
            trainer = Trainer.Start(student.Model, student.Vocabulary, settings.Data.Open(student.Vocabulary, settings.Options), settings.Options, run);
        }
        catch
        {
            student.Model.Dispose();
            throw;
        }
        using (trainer)
        {
            settings.Data.Save(run);
            return new TrainRunSummary(trainer.Run(progress, cancellationToken), student.Origin, parameters, Resumed: false);
        }
    }

    static TrainRunSummary Resume(string run, TrainSettings settings, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        string checkpoint = Path.Combine(run, Trainer.CheckpointFolderName);
        if (!TrainingCheckpoint.Exists(checkpoint)) throw new DirectoryNotFoundException($"--resume: {run} holds no training checkpoint; start the run without --resume.");
        var data = TraceDataSettings.Load(run);
        var (_, state) = TrainingCheckpoint.Load(checkpoint);
        var batches = data.Open(VocabularyOf(checkpoint), state.Options);
        using var trainer = Trainer.Resume(run, batches, settings.ResumeSteps);
        return new TrainRunSummary(trainer.Run(progress, cancellationToken), $"resumed at step {state.Step}", Parameters(trainer.Model), Resumed: true);
    }

    static InitializedStudent Initialize(TrainSettings s)
    {
        bool fromFile = s.InitPath is not null || s.InitFromTeacherPath is not null;
        if (s.InitPath is not null && s.InitFromTeacherPath is not null) throw new ArgumentException("Give --init or --init-from-teacher, not both.");
        if (s.Student is not null && s.Shape is not null) throw new ArgumentException("Give the student's shape once: a preset or shape file, or a shape value.");
        var shape = s.Shape ?? (s.Student is null ? null : StudentShape.Parse(s.Student));
        if (fromFile && shape is not null) throw new ArgumentException("--student sets the shape of a random student; with --init or --init-from-teacher the shape comes from that file, so drop --student.");
        if (s.InitPath is { } init) return StudentInitialization.FromGguf(init);
        if (s.InitFromTeacherPath is { } teacher) return StudentInitialization.FromTeacherLayers(teacher, s.Layers);
        if (shape is null) throw new ArgumentException("Say how the student starts: --student 10m|60m|shape.yaml with --teacher T.gguf, or --init X.gguf, or --init-from-teacher T.gguf.");
        if (s.TeacherPath is null) throw new ArgumentException("A random student takes the teacher's vocabulary and family: give --teacher (the GGUF that wrote the traces).");
        return StudentInitialization.Random(shape, s.TeacherPath, s.Options.Seed);
    }

    static TokenizerVocabulary VocabularyOf(string checkpoint) => TokenizerGgufMetadata.ReadFile(Path.Combine(checkpoint, StudentCheckpoint.WeightsFile));

    static long Parameters(StudentModel model) => model.parameters().Sum(p => p.numel());
}
