using LlmDistill.Models;
using LlmDistill.Student;
using LlmDistill.Tokenization;
using LlmDistill.Training;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

/// <summary>Shared set-up for trainer tests: the 269-token byte-level vocabulary and a tiny Llama student over it.</summary>
static class TrainerRuns
{
    public static readonly TokenizerVocabulary Vocabulary = SmallByteLevelVocabulary.Create();

    public static StudentModel Student(int seed = 1)
    {
        random.manual_seed(seed);
        return new StudentModel(LlamaModelConfig.TinyLlama(Vocabulary.Count));
    }

    public static TrainerOptions Options(int steps) => new()
    {
        Steps = steps, BatchSize = 4, GradAccumulation = 2, LearningRate = 3e-3, WarmupSteps = 5, MinLearningRate = 3e-4,
        EvalEvery = 10, EvalBatches = 2, CheckpointEvery = 0, LogEvery = 5, Seed = 3,
    };

    public static TrainingSummary Train(string folder, TrainerOptions options, ITrainingBatches? data = null, Action<TrainingProgress>? onStep = null, CancellationToken cancel = default)
    {
        using var trainer = Trainer.Start(Student(), Vocabulary, data ?? new SyntheticTraces(), options, folder);
        return trainer.Run(onStep is null ? null : new InlineProgress(onStep), cancel);
    }

    /// <summary>Every parameter's float32 values by GGUF name.</summary>
    public static Dictionary<string, float[]> Weights(StudentModel model) =>
        model.GgufParameters().ToDictionary(p => p.Key, p => p.Value.detach().cpu().data<float>().ToArray());

    public sealed class InlineProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
