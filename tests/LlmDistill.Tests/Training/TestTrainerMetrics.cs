using System.Text.Json;
using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

public class TestTrainerMetrics
{
    public TestTrainerMetrics() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void Metrics_are_one_json_object_per_line_and_the_loss_curve_is_a_png()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(20));
        string[] lines = File.ReadAllLines(Path.Combine(run.Path, Trainer.MetricsFileName));
        Assert.Equal([5L, 10, 15, 20], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()));
        foreach (string line in lines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            foreach (string key in new[] { "lr", "loss", "kl", "nll_rationale", "nll_answer", "grad_norm", "tokens_per_second" })
                Assert.True(root.GetProperty(key).GetDouble() > 0, $"{key} in {line}");
        }
        Assert.Equal(JsonValueKind.Number, JsonDocument.Parse(lines[1]).RootElement.GetProperty("eval_loss").ValueKind);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(lines[0]).RootElement.GetProperty("eval_loss").ValueKind);

        byte[] png = File.ReadAllBytes(Path.Combine(run.Path, Trainer.PlotFileName));
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
    }

    [Fact]
    public void Eval_loss_is_the_token_weighted_loss_of_the_held_out_batches_under_the_final_weights()
    {
        using var run = new TempDirectory();
        var options = TrainerRuns.Options(10) with { EvalBatches = 3 };
        var data = new SyntheticTraces(evalBatches: 5);
        using var trainer = Trainer.Start(TrainerRuns.Student(), TrainerRuns.Vocabulary, data, options, run.Path);
        double reported = trainer.Run().EvalLoss!.Value;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = trainer.Model.GgufParameters()["output.weight"];
        double sum = 0, tokens = 0;
        foreach (var batch in data.Eval().Take(3)) // only EvalBatches of the 5 held-out batches
        {
            var result = DistillationLoss.Compute(trainer.Model.Hidden(batch.InputIds), weight, batch, options.Loss, step: 10);
            sum += result.Loss.item<float>() * result.Tokens.item<long>();
            tokens += result.Tokens.item<long>();
        }
        Assert.Equal(sum / tokens, reported, 5);
        Assert.True(trainer.Model.training); // evaluation left the model in training mode
    }

    [Fact]
    public void The_schedule_warms_up_linearly_peaks_and_decays_to_the_floor_at_the_last_step()
    {
        var options = new TrainerOptions { LearningRate = 1e-3, MinLearningRate = 1e-4, WarmupSteps = 10 };
        const long total = 111; // 10 warmup steps, then 101 steps whose cosine runs from 0 to π in steps of π/100
        Assert.Equal(1e-4, LearningRateSchedule.At(0, total, options), 12);
        Assert.Equal(5e-4, LearningRateSchedule.At(4, total, options), 12);
        Assert.Equal(1e-3, LearningRateSchedule.At(10, total, options), 12);
        Assert.Equal(5.5e-4, LearningRateSchedule.At(60, total, options), 12);
        Assert.Equal(1e-4, LearningRateSchedule.At(total - 1, total, options), 12);
        double previous = double.MaxValue;
        for (long s = 10; s < total; s++)
        {
            double rate = LearningRateSchedule.At(s, total, options);
            Assert.True(rate <= previous);
            previous = rate;
        }
    }

    [Fact]
    public void Bf16_on_this_build_is_ignored_with_a_note_and_cuda_is_refused_with_the_build_to_use()
    {
        using var run = new TempDirectory();
        var summary = TrainerRuns.Train(run.Path, TrainerRuns.Options(1) with { Bf16 = true });
        Assert.Contains(summary.Notes, n => n.Contains("bf16"));
        if (cuda.is_available()) return;
        var error = Assert.Throws<InvalidOperationException>(() => TrainingDevice.Resolve(ComputeDevice.Cuda()));
        Assert.Contains("CUDA build of TorchSharp", error.Message);
        Assert.Contains("TorchSharpBackend=cuda", error.Message);
    }

    [Fact]
    public void A_log_cut_mid_line_by_a_kill_reopens_with_its_whole_lines()
    {
        using var run = new TempDirectory();
        string path = run.File(Trainer.MetricsFileName);
        File.WriteAllText(path, "{\"step\":1,\"lr\":0.001,\"loss\":2.5}\n{\"step\":2,\"lr\":0.001,\"loss\":2.4}\n{\"step\":3,\"lr\":0.0");
        using (var log = MetricsLog.Open(path, keepThroughStep: 10))
            Assert.Equal([1L, 2], log.Records.Select(r => r.Step));
        Assert.Equal([1L, 2], MetricsLog.Read(path).Select(r => r.Step));
        Assert.False(File.Exists(path + ".tmp"));
    }
}
