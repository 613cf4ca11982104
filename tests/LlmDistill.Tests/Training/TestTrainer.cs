using System.Text.Json;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

[Collection(TorchRandomCollection.Name)]
public class TestTrainer
{
    public TestTrainer() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void Resuming_after_a_cancelled_run_gives_bit_for_bit_the_weights_of_a_straight_run()
    {
        const int half = 12;
        var options = TrainerRuns.Options(2 * half) with { CheckpointEvery = 10 };
        using var straight = new TempDirectory();
        TrainerRuns.Train(straight.Path, options);

        using var interrupted = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var first = TrainerRuns.Train(interrupted.Path, options, onStep: p => { if (p.Step == half) cancel.Cancel(); }, cancel: cancel.Token);
        Assert.True(first.Interrupted);
        Assert.Equal(half, first.Step);
        Assert.Equal(half, TrainingCheckpoint.Load(Path.Combine(interrupted.Path, Trainer.CheckpointFolderName)).State.Step);

        using (var resumed = Trainer.Resume(interrupted.Path, new SyntheticTraces()))
        {
            var second = resumed.Run();
            Assert.False(second.Interrupted);
            Assert.Equal(half, second.StepsThisRun);
        }

        var expected = TrainerRuns.Weights(StudentCheckpoint.Load(Path.Combine(straight.Path, Trainer.CheckpointFolderName)).Model);
        var actual = TrainerRuns.Weights(StudentCheckpoint.Load(Path.Combine(interrupted.Path, Trainer.CheckpointFolderName)).Model);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected) Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"{name} differs after resume");

        // The metrics tell the same history too: identical losses at every logged step.
        static (long, double?, double?)[] Losses(string folder) =>
            [.. MetricsLog.Read(Path.Combine(folder, Trainer.MetricsFileName)).Select(r => (r.Step, r.Loss, r.EvalLoss))];
        Assert.Equal(Losses(straight.Path), Losses(interrupted.Path));
    }

    [Fact]
    public void Live_tensors_do_not_grow_from_step_10_to_step_50()
    {
        using var folder = new TempDirectory();
        var live = new Dictionary<long, long>();
        TrainerRuns.Train(folder.Path, TrainerRuns.Options(50) with { CheckpointEvery = 25 },
            onStep: p => live[p.Step] = DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(live[10], live[50]);
        Assert.Equal(live[10], live[30]);
    }

    [Fact]
    public void A_few_hundred_steps_drive_training_and_held_out_loss_down()
    {
        using var folder = new TempDirectory();
        var options = TrainerRuns.Options(300) with { EvalEvery = 50, LogEvery = 10, WarmupSteps = 20 };
        var summary = TrainerRuns.Train(folder.Path, options);
        var records = MetricsLog.Read(Path.Combine(folder.Path, Trainer.MetricsFileName)).ToArray();
        double firstLoss = records.First(r => r.Loss is not null).Loss!.Value;
        double firstEval = records.First(r => r.EvalLoss is not null).EvalLoss!.Value;
        Assert.True(summary.Loss!.Loss < 0.3 * firstLoss, $"training loss went from {firstLoss} to {summary.Loss.Loss}");
        Assert.True(summary.EvalLoss < 0.3 * firstEval, $"held-out loss went from {firstEval} to {summary.EvalLoss}");
        Assert.Equal(300, summary.Step);
    }
}
