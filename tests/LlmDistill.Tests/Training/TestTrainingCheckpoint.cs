using System.Text.Json;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using LlmDistill.Training;

namespace LlmDistill.Tests.Training;

public class TestTrainingCheckpoint
{
    public TestTrainingCheckpoint() => TorchRuntime.EnsureLoadable();

    static string[] Leftovers(string runFolder) =>
        [.. Directory.EnumerateFileSystemEntries(runFolder).Select(Path.GetFileName).Where(n => n!.Contains(".staging-") || n.Contains(".tmp-") || n.Contains(".old-"))!];

    [Fact]
    public void A_finished_run_leaves_a_complete_checkpoint_and_no_temporary_folders()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(6) with { CheckpointEvery = 2 });
        string checkpoint = Path.Combine(run.Path, Trainer.CheckpointFolderName);
        Assert.Equal(
            [StudentCheckpoint.ManifestFile, StudentCheckpoint.WeightsFile, TrainingCheckpoint.OptimizerFile, TrainingCheckpoint.RngFile],
            Directory.EnumerateFiles(checkpoint).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(Leftovers(run.Path));

        var (student, state) = TrainingCheckpoint.Load(checkpoint);
        student.Model.Dispose();
        Assert.Equal(6, state.Step);
        Assert.Equal(12, state.MicroBatches);                       // 2 micro-batches per step
        Assert.Equal(12, state.DataPosition!["index"]!.GetValue<long>()); // the data source's own position
        Assert.Equal(TrainerRuns.Options(6) with { CheckpointEvery = 2 }, state.Options);
    }

    [Fact]
    public void An_exception_mid_run_keeps_the_last_checkpoint_intact_and_resumable()
    {
        using var run = new TempDirectory();
        var options = TrainerRuns.Options(20) with { CheckpointEvery = 4 };
        var failing = new SyntheticTraces { FailAt = 13 }; // micro-batch 13 is in step 7
        var error = Assert.Throws<IOException>(() => TrainerRuns.Train(run.Path, options, failing));
        Assert.Contains("batch 13", error.Message);
        Assert.Empty(Leftovers(run.Path));

        var (student, state) = TrainingCheckpoint.Load(Path.Combine(run.Path, Trainer.CheckpointFolderName));
        student.Model.Dispose();
        Assert.Equal(4, state.Step);
        using var resumed = Trainer.Resume(run.Path, new SyntheticTraces());
        Assert.Equal(20, resumed.Run().Step);
    }

    [Fact]
    public void A_save_that_fails_part_way_leaves_the_previous_checkpoint_and_no_staging_folder()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(2));
        string checkpoint = Path.Combine(run.Path, Trainer.CheckpointFolderName);
        byte[] before = File.ReadAllBytes(Path.Combine(checkpoint, StudentCheckpoint.WeightsFile));

        using var trainer = Trainer.Resume(run.Path, new SyntheticTraces());
        var wrongVocabulary = SmallByteLevelVocabulary.Create(merges: ["Ġ t"]); // fewer tokens than the model's rows: the GGUF writer throws
        var optimizer = StudentOptimizer.Create(trainer.Model, trainer.State.Options);
        Assert.ThrowsAny<Exception>(() => TrainingCheckpoint.Save(checkpoint, trainer.Model, wrongVocabulary, optimizer, trainer.State with { Step = 99 }));

        Assert.Empty(Leftovers(run.Path));
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(checkpoint, StudentCheckpoint.WeightsFile)));
        Assert.Equal(2, TrainingCheckpoint.Load(checkpoint).State.Step);
    }

    [Fact]
    public void A_save_whose_final_rename_fails_removes_its_fully_written_staging_folder()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(1));
        using var trainer = Trainer.Resume(run.Path, new SyntheticTraces());
        var optimizer = StudentOptimizer.Create(trainer.Model, trainer.State.Options);
        string blocked = run.File("blocked");
        File.WriteAllText(blocked, "a file where the checkpoint folder should go");
        Assert.ThrowsAny<IOException>(() => TrainingCheckpoint.Save(blocked, trainer.Model, TrainerRuns.Vocabulary, optimizer, trainer.State));
        Assert.Empty(Leftovers(run.Path));
        Assert.True(File.Exists(blocked));
    }

    [Fact]
    public void Starting_over_an_existing_run_is_refused_with_a_hint_to_resume()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(1));
        var error = Assert.Throws<InvalidOperationException>(() => TrainerRuns.Train(run.Path, TrainerRuns.Options(1)));
        Assert.Contains("resume it", error.Message);
    }

    [Fact]
    public void Options_survive_the_checkpoint_json_exactly_including_the_divergence()
    {
        var options = TrainerRuns.Options(7) with
        {
            LearningRate = 0.1 + 0.2, Epochs = 1.5, Bf16 = true,
            Loss = new() { Alpha = 0.3, Temperature = 2.5, Divergence = new LlmDistill.Training.Losses.Divergence.Jsd(0.25), TemperatureSchedule = new(3, 1, 100) },
        };
        var back = TrainingOptionsJson.FromNode(JsonNode(options));
        Assert.Equal(options, back);

        static System.Text.Json.Nodes.JsonNode JsonNode(TrainerOptions o) => System.Text.Json.Nodes.JsonNode.Parse(TrainingOptionsJson.ToNode(o).ToJsonString())!;
    }
}
