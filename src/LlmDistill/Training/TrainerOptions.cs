using System.ComponentModel;
using LlmDistill.Options;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// Everything that decides what a training run computes: optimizer, schedule, intervals, loss, device. Saved inside
/// every checkpoint, so a run folder says how it was made and a resumed run continues with the same settings.
/// Defaults suit a small student on CPU.
/// </summary>
[OptionGroup]
public sealed record TrainerOptions : IValidatedOptions
{
    /// <summary>Optimizer updates when neither <see cref="Steps"/> nor <see cref="Epochs"/> is given.</summary>
    public const int DefaultSteps = 1000;

    [Description("Optimizer updates in the run (default 1000). With resume: a new planned total.")]
    public int? Steps { get; init; }

    [Description("Passes over the training traces instead of a number of steps.")]
    public double? Epochs { get; init; }

    [OptionName("batch-size", "-b"), Description("Sequences per micro-batch.")]
    public int BatchSize { get; init; } = 8;

    [OptionName("grad-accumulation", "--grad-accum"), Description("Micro-batches whose gradients are summed (each scaled 1/n) before one optimizer update.")]
    public int GradAccumulation { get; init; } = 1;

    [OptionName("learning-rate", "--lr"), Description("Peak learning rate (AdamW), reached after the warmup.")]
    public double LearningRate { get; init; } = 1e-3;

    [OptionName("warmup-steps", "--warmup"), Description("Steps of linear warmup from 0 to the learning rate.")]
    public int WarmupSteps { get; init; } = 100;

    [OptionName("min-learning-rate", "--min-lr"), Description("Floor of the cosine decay, reached at the last step (default: learning rate / 10, as nanoGPT).")]
    public double? MinLearningRate { get; init; }

    [Description("Decoupled weight decay on matrices (embeddings included); norms and biases get none.")]
    public double WeightDecay { get; init; } = 0.1;

    [Description("AdamW β1.")]
    public double Beta1 { get; init; } = 0.9;

    [Description("AdamW β2.")]
    public double Beta2 { get; init; } = 0.95;

    [Description("Clip the global gradient L2 norm to this (0 = off).")]
    public double GradClip { get; init; } = 1.0;

    [Description("Held-out loss every N steps (and at the end; 0 = only at the end).")]
    public int EvalEvery { get; init; } = 200;

    [Description("Held-out batches per evaluation (fewer if the held-out slice is smaller).")]
    public int EvalBatches { get; init; } = 20;

    [Description("Checkpoint every N steps (also at the end and on Ctrl-C; 0 = only then).")]
    public int CheckpointEvery { get; init; } = 500;

    [Description("Metrics line (and the only host-device syncs for loss values) every N steps.")]
    public int LogEvery { get; init; } = 10;

    [Description("Seed of the student's initialisation and the data shuffle.")]
    public long Seed { get; init; }

    /// <summary>
    /// Activation checkpointing (<see cref="Student.StudentModel.BackwardWithRecomputation{TResult}"/>): memory for one
    /// block's activations instead of all, for one more forward pass through the blocks. Measured in the README.
    /// </summary>
    [Description("Keep only each block's input during the forward pass and recompute the block during backward (activation checkpointing, as Hugging Face's gradient_checkpointing): one block's activations in memory instead of all of them, for about a third more compute. The same gradients up to float rounding.")]
    public bool GradientCheckpointing { get; init; }

    public DistillationLossOptions Loss { get; init; } = new();

    [Description("cpu, or cuda (cuda:N for another GPU; needs the CUDA build of TorchSharp).")]
    public ComputeDevice Device { get; init; } = ComputeDevice.Cpu;

    /// <summary>
    /// Ask for bfloat16 autocast. TorchSharp 0.107 has no autocast API, and CPU autocast would not pay on these machines,
    /// so the trainer computes in float32 and records that the flag was ignored (<see cref="TrainingSummary.Notes"/>).
    /// </summary>
    [Description("bfloat16 autocast where supported (ignored, with a note, on this TorchSharp build).")]
    public bool Bf16 { get; init; }

    /// <summary>The floor of the cosine decay in force.</summary>
    public double EffectiveMinLearningRate => MinLearningRate ?? LearningRate / 10;

    /// <summary>Optimizer updates of this run, given the micro-batches per epoch when the data source knows them.</summary>
    public int TotalSteps(long? batchesPerEpoch) => Epochs switch
    {
        null => Steps ?? DefaultSteps,
        double epochs when batchesPerEpoch is long batches => Math.Max(1, (int)Math.Ceiling(epochs * batches / GradAccumulation)),
        _ => throw new ArgumentException("Training for a number of epochs needs the number of batches per epoch, which this data source does not know; give a number of steps instead."),
    };

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            Steps is int steps ? OptionChecks.Positive(nameof(Steps), steps) : null,
            Epochs is double epochs ? OptionChecks.Positive(nameof(Epochs), epochs) : null,
            OptionChecks.Positive(nameof(BatchSize), BatchSize),
            OptionChecks.Positive(nameof(GradAccumulation), GradAccumulation),
            OptionChecks.Positive(nameof(LearningRate), LearningRate),
            OptionChecks.AtLeast(nameof(WarmupSteps), WarmupSteps, 0),
            MinLearningRate is double min ? OptionChecks.AtLeast(nameof(MinLearningRate), min, 0) : null,
            OptionChecks.AtLeast(nameof(WeightDecay), WeightDecay, 0),
            OptionChecks.Within(nameof(Beta1), Beta1, 0, 1, highOpen: true),
            OptionChecks.Within(nameof(Beta2), Beta2, 0, 1, highOpen: true),
            OptionChecks.AtLeast(nameof(GradClip), GradClip, 0),
            OptionChecks.AtLeast(nameof(EvalEvery), EvalEvery, 0),
            OptionChecks.Positive(nameof(EvalBatches), EvalBatches),
            OptionChecks.AtLeast(nameof(CheckpointEvery), CheckpointEvery, 0),
            OptionChecks.Positive(nameof(LogEvery), LogEvery),
        ],
        (nameof(Loss), Loss));
}
