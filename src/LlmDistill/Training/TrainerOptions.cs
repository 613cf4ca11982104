using LlmDistill.Training.Losses;

namespace LlmDistill.Training;

/// <summary>
/// Everything that decides what a training run computes. Saved inside every checkpoint, so a run folder says how it
/// was made and <c>--resume</c> continues with the same settings. Defaults suit a small student on CPU.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>Optimizer updates in the run. Ignored when <see cref="Epochs"/> is set.</summary>
    public int Steps { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Steps), value, "steps must be positive"); } = 1000;

    /// <summary>Passes over the training traces; when set, the step count follows from the data size.</summary>
    public double? Epochs { get; init => field = value is null or > 0 ? value : throw new ArgumentOutOfRangeException(nameof(Epochs), value, "epochs must be positive"); }

    /// <summary>Sequences per micro-batch; the data source is built with it (the trainer takes batches as they come).</summary>
    public int BatchSize { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "batch size must be positive"); } = 8;

    /// <summary>Micro-batches whose gradients are summed (each scaled 1/n) before one optimizer update.</summary>
    public int GradAccumulation { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(GradAccumulation), value, "gradient accumulation must be positive"); } = 1;

    /// <summary>Peak learning rate, reached after <see cref="WarmupSteps"/>.</summary>
    public double LearningRate { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(LearningRate), value, "learning rate must be positive"); } = 1e-3;

    /// <summary>Steps of linear warmup from 0 to <see cref="LearningRate"/>.</summary>
    public int WarmupSteps { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), value, "warmup must be non-negative"); } = 100;

    /// <summary>Floor of the cosine decay, reached at the last step (nanoGPT uses LearningRate / 10).</summary>
    public double MinLearningRate { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(MinLearningRate), value, "minimum learning rate must be non-negative"); } = 1e-4;

    /// <summary>Decoupled weight decay on matrices (embeddings included); norms and biases get none.</summary>
    public double WeightDecay { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(WeightDecay), value, "weight decay must be non-negative"); } = 0.1;

    public double Beta1 { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Beta1), value, "β1 must lie in [0, 1)"); } = 0.9;

    public double Beta2 { get; init => field = value is >= 0 and < 1 ? value : throw new ArgumentOutOfRangeException(nameof(Beta2), value, "β2 must lie in [0, 1)"); } = 0.95;

    /// <summary>Global gradient L2-norm ceiling; 0 turns clipping off.</summary>
    public double GradClip { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(GradClip), value, "gradient clip must be non-negative"); } = 1.0;

    /// <summary>Held-out loss every N steps (and at the end); 0 = only at the end.</summary>
    public int EvalEvery { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(EvalEvery), value, "eval interval must be non-negative"); } = 200;

    /// <summary>Held-out batches per evaluation (fewer if the held-out slice is smaller).</summary>
    public int EvalBatches { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(EvalBatches), value, "eval batches must be positive"); } = 20;

    /// <summary>Checkpoint every N steps (and at the end, and on cancellation); 0 = only then.</summary>
    public int CheckpointEvery { get; init => field = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(CheckpointEvery), value, "checkpoint interval must be non-negative"); } = 500;

    /// <summary>Metrics line (and the only host-device syncs for loss values) every N steps.</summary>
    public int LogEvery { get; init => field = value > 0 ? value : throw new ArgumentOutOfRangeException(nameof(LogEvery), value, "log interval must be positive"); } = 10;

    /// <summary>Seeds torch's generator at the start of a fresh run (model initialisation takes its own seed).</summary>
    public long Seed { get; init; }

    public DistillationLossOptions Loss { get; init; } = new();

    /// <summary><c>cpu</c> or <c>cuda</c> (<c>cuda:1</c> for another GPU); see <see cref="TrainingDevice"/>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>
    /// Ask for bfloat16 autocast. TorchSharp 0.107 has no autocast API, and CPU autocast would not pay on these machines,
    /// so the trainer computes in float32 and records that the flag was ignored (<see cref="TrainingSummary.Notes"/>).
    /// </summary>
    public bool Bf16 { get; init; }

    /// <summary>Optimizer updates of this run, given the micro-batches per epoch when the data source knows them.</summary>
    public int TotalSteps(long? batchesPerEpoch) => Epochs switch
    {
        null => Steps,
        double epochs when batchesPerEpoch is long batches => Math.Max(1, (int)Math.Ceiling(epochs * batches / GradAccumulation)),
        _ => throw new ArgumentException("Training for a number of epochs needs the number of batches per epoch, which this data source does not know; give a number of steps instead."),
    };
}
