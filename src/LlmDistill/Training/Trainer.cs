using LlmDistill.Options;
using System.Diagnostics;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tokenization;
using LlmDistill.Training.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Training;

/// <summary>
/// The training loop: AdamW with warmup + cosine decay, gradient accumulation and clipping, held-out evaluation,
/// metrics as JSONL plus a loss-curve PNG, and atomic resumable checkpoints. A run lives in one folder:
/// <c>checkpoint/</c> (<see cref="TrainingCheckpoint"/>), <c>metrics.jsonl</c> (<see cref="MetricsLog"/>), <c>loss.png</c>.
/// On CPU a resumed run computes bit for bit what an uninterrupted one does. The trainer owns the student it trains.
/// </summary>
internal sealed class Trainer : IDisposable
{
    public const string CheckpointFolderName = "checkpoint";
    public const string MetricsFileName = "metrics.jsonl";
    public const string PlotFileName = "loss.png";

    readonly TokenizerVocabulary _vocabulary;
    readonly ITrainingBatches _data;
    readonly TrainerOptions _options;
    readonly string _runFolder;
    readonly AdamW _optimizer;
    readonly Parameter[] _parameters;
    readonly Parameter _outputWeight;
    readonly DistillationWorkspace _lossWorkspace = new(); // vocabulary-sized scratch kept across steps (see DistillationWorkspace)
    readonly List<string> _notes = [];
    TrainingState _state;
    long _savedStep;

    Trainer(StudentModel model, TokenizerVocabulary vocabulary, ITrainingBatches data, string runFolder, TrainingState state, Device device, string? resumeFrom)
    {
        Model = model;
        _vocabulary = vocabulary;
        _data = data;
        _options = state.Options;
        _runFolder = Path.GetFullPath(runFolder);
        _state = state;
        _savedStep = resumeFrom is null ? -1 : state.Step;
        Model.to(device).train();
        _parameters = [.. Model.parameters().Where(p => p.requires_grad)]; // a LoRA student's frozen base is left out
        var gguf = Model.GgufParameters();
        _outputWeight = gguf.TryGetValue(ModelTensors.Output, out var output) ? output : gguf[ModelTensors.TokenEmbedding]; // (V, C)
        _optimizer = StudentOptimizer.Create(Model, _options);
        if (resumeFrom is null) random.manual_seed(_options.Seed);
        else
        {
            TrainingCheckpoint.Restore(resumeFrom, _optimizer);
            _optimizer.to(device);
        }
        if (_options.Bf16)
            _notes.Add("bf16 autocast was ignored: TorchSharp 0.107 has no autocast, so training ran in float32.");
    }

    public StudentModel Model { get; }

    public TrainingState State => _state;

    public string CheckpointFolder => Path.Combine(_runFolder, CheckpointFolderName);

    /// <summary>A fresh run of <paramref name="model"/> into <paramref name="runFolder"/> (created; an old checkpoint there is refused).</summary>
    public static Trainer Start(StudentModel model, TokenizerVocabulary vocabulary, ITrainingBatches data, TrainerOptions options, string runFolder)
    {
        if (TrainingCheckpoint.Exists(Path.Combine(runFolder, CheckpointFolderName)))
            throw new InvalidOperationException($"{runFolder} already holds a training checkpoint: resume it, or choose another run folder.");
        OptionsException.ThrowIfInvalid(options);
        var device = TrainingDevice.Resolve(options.Device);
        Directory.CreateDirectory(runFolder);
        var state = new TrainingState(0, 0, null, options.TotalSteps(data.BatchesPerEpoch), 0, options);
        return new Trainer(model, vocabulary, data, runFolder, state, device, resumeFrom: null);
    }

    /// <summary>
    /// Continues the run in <paramref name="runFolder"/> from its checkpoint with the saved options; <paramref name="steps"/>
    /// changes the planned total (which reshapes the cosine decay, so the result then differs from a straight run).
    /// </summary>
    public static Trainer Resume(string runFolder, ITrainingBatches data, int? steps = null)
    {
        string folder = Path.Combine(runFolder, CheckpointFolderName);
        if (!TrainingCheckpoint.Exists(folder)) throw new FileNotFoundException($"{runFolder} has no training checkpoint to resume.", folder);
        var (student, state) = TrainingCheckpoint.Load(folder);
        if (steps is int total) state = state with { TotalSteps = total, Options = state.Options with { Steps = total, Epochs = null } };
        var device = TrainingDevice.Resolve(state.Options.Device);
        return new Trainer(student.Model, student.Vocabulary, data, runFolder, state, device, resumeFrom: folder);
    }

    /// <summary>
    /// Trains to the planned step, or to <paramref name="stopAt"/> when that comes first (an on-policy round ends there,
    /// with a checkpoint, inside one learning-rate schedule planned for all rounds); cancellation saves a checkpoint
    /// after the step in progress and returns.
    /// </summary>
    public TrainingSummary Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, long? stopAt = null)
    {
        long end = Math.Min(_state.TotalSteps, stopAt ?? long.MaxValue);
        using var metrics = MetricsLog.Open(Path.Combine(_runFolder, MetricsFileName), keepThroughStep: _state.Step);
        using var stream = _data.Train(_state.DataPosition).GetEnumerator();
        var clock = Stopwatch.StartNew();
        long firstStep = _state.Step, firstTokens = _state.TokensSeen;
        var sinceLog = (Time: TimeSpan.Zero, Tokens: _state.TokensSeen);
        TrainingMetrics? latest = metrics.Records.LastOrDefault(r => r.Loss is not null);
        double? evalLoss = metrics.Records.LastOrDefault(r => r.EvalLoss is not null)?.EvalLoss;
        bool interrupted = false;

        while (_state.Step < end)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                interrupted = true;
                break;
            }
            long step = _state.Step; // 0-based index of this update
            double rate = LearningRateSchedule.At(step, _state.TotalSteps, _options);
            bool log = (step + 1) % _options.LogEvery == 0 || step + 1 == end;
            double[]? values = TrainStep(stream, step, rate, log); // loss, kl, nll rationale, nll answer, grad norm (log steps only)

            bool eval = (_options.EvalEvery > 0 && _state.Step % _options.EvalEvery == 0) || _state.Step == _state.TotalSteps;
            if (eval) evalLoss = Evaluate();
            if (log || eval)
            {
                var now = clock.Elapsed;
                double? tokensPerSecond = log ? (_state.TokensSeen - sinceLog.Tokens) / Math.Max(1e-9, (now - sinceLog.Time).TotalSeconds) : null;
                if (log) sinceLog = (now, _state.TokensSeen);
                var record = new TrainingMetrics(_state.Step, rate, values?[0], values?[1], values?[2], values?[3], values?[4], tokensPerSecond, eval ? evalLoss : null, now.TotalSeconds);
                metrics.Append(record);
                if (log) latest = record;
            }
            if (_options.CheckpointEvery > 0 && _state.Step % _options.CheckpointEvery == 0) SaveCheckpoint(metrics);
            progress?.Report(Progress(firstStep, latest, evalLoss, clock.Elapsed));
        }
        SaveCheckpoint(metrics);

        double seconds = clock.Elapsed.TotalSeconds;
        return new TrainingSummary(_state.Step, _state.TotalSteps, _state.Step - firstStep, interrupted, latest, evalLoss, _state.TokensSeen,
            (_state.TokensSeen - firstTokens) / Math.Max(1e-9, seconds), clock.Elapsed, _runFolder, CheckpointFolder, _notes);
    }

    /// <summary>
    /// One optimizer update over <see cref="TrainerOptions.GradAccumulation"/> micro-batches, inside one dispose scope.
    /// Returns the step's loss parts and gradient norm when <paramref name="read"/> (the only host sync of the step).
    /// </summary>
    double[]? TrainStep(IEnumerator<PositionedBatch> stream, long step, double rate, bool read)
    {
        using var noGc = NoGcRegion.Enter(); // one per step (opening one costs a collection); see NoGcRegion
        using var scope = NewDisposeScope();
        StudentOptimizer.SetLearningRate(_optimizer, rate);
        _optimizer.zero_grad();
        int micro = _options.GradAccumulation;
        var sums = zeros(4); // (4): loss, kl, nll rationale, nll answer, summed over micro-batches
        long tokens = 0;
        var position = _state.DataPosition;
        for (int i = 0; i < micro; i++)
        {
            if (!stream.MoveNext()) throw new InvalidDataException("The training data ended; a data source must repeat its epochs.");
            var (batch, next) = stream.Current;
            position = next;
            var onDevice = batch.To(_outputWeight.device);
            tokens += onDevice.BatchSize * onDevice.SequenceLength;
            DistillationLossResult LossOf(Tensor hidden) => DistillationLoss.Compute(hidden, _outputWeight, onDevice, _options.Loss, step, _lossWorkspace); // hidden (B, T, C)
            Tensor Scaled(DistillationLossResult r) => r.Loss / micro;
            DistillationLossResult result;
            if (_options.GradientCheckpointing) result = Model.BackwardWithRecomputation(onDevice.InputIds, LossOf, Scaled);
            else
            {
                result = LossOf(Model.Hidden(onDevice.InputIds));
                Scaled(result).backward();
            }
            sums.add_(stack([result.Loss.detach(), result.Kl, result.NllRationale, result.NllAnswer]).cpu());
            batch.Dispose();
            onDevice.Dispose();
        }
        var gradNorm = StudentOptimizer.ClipGradients(_parameters, _options.GradClip); // ()
        _optimizer.step();
        _state = _state with { Step = step + 1, MicroBatches = _state.MicroBatches + micro, DataPosition = position, TokensSeen = _state.TokensSeen + tokens };
        if (!read) return null;
        double[] parts = [.. (sums / micro).to(ScalarType.Float64).data<double>()];
        return [.. parts, gradNorm.to(ScalarType.Float64).item<double>()];
    }

    /// <summary>Token-weighted mean loss over the first <see cref="TrainerOptions.EvalBatches"/> held-out batches; null when they hold no loss tokens.</summary>
    double? Evaluate()
    {
        using var noGc = NoGcRegion.Enter(); // see NoGcRegion
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Model.eval();
        var weighted = zeros([], ScalarType.Float64);
        long tokens = 0;
        foreach (var batch in _data.Eval().Take(_options.EvalBatches))
        {
            // One scope per batch: the outer one would keep every batch's forward intermediates (all blocks' activations,
            // ~4.5 GB per 4 × 256 batch of a 0.6B model) alive until the last batch, 20 batches by default.
            using var batchScope = NewDisposeScope();
            var onDevice = batch.To(_outputWeight.device);
            var result = DistillationLoss.Compute(Model.Hidden(onDevice.InputIds), _outputWeight, onDevice, _options.Loss, _state.Step, _lossWorkspace);
            long count = result.Tokens.item<long>();
            weighted.add_(result.Loss.to(ScalarType.Float64).cpu() * count);
            tokens += count;
            batch.Dispose();
            onDevice.Dispose();
        }
        Model.train();
        return tokens == 0 ? null : weighted.item<double>() / tokens;
    }

    void SaveCheckpoint(MetricsLog metrics)
    {
        if (_savedStep == _state.Step) return;
        TrainingCheckpoint.Save(CheckpointFolder, Model, _vocabulary, _optimizer, _state);
        _savedStep = _state.Step;
        LossCurvePlot.Write(Path.Combine(_runFolder, PlotFileName), metrics.Records);
    }

    TrainingProgress Progress(long firstStep, TrainingMetrics? latest, double? evalLoss, TimeSpan elapsed)
    {
        long done = _state.Step - firstStep;
        TimeSpan? remaining = done > 0 ? elapsed / done * (_state.TotalSteps - _state.Step) : null;
        return new TrainingProgress(_state.Step, _state.TotalSteps, latest, evalLoss, elapsed, remaining);
    }

    public void Dispose()
    {
        _lossWorkspace.Dispose();
        _optimizer.Dispose();
        Model.Dispose();
    }
}
