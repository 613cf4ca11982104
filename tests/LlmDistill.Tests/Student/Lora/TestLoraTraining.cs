using LlmDistill.IO;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Training;
using LlmDistill.Training;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student.Lora;

/// <summary>Training adapters on a frozen base: what starts equal to the base, what changes, what never does, and resume.</summary>
[Collection(TorchRandomCollection.Name)]
public class TestLoraTraining
{
    public TestLoraTraining() => TorchRuntime.EnsureLoadable();

    static readonly int[] Tokens = [3, 50, 120, 7, 9, 200, 33, 41];

    static TrainerOptions Options(int steps) => TrainerRuns.Options(steps) with { LearningRate = 1e-2 };

    static TrainingSummary Train(string basePath, string run, TrainerOptions options, LoraOptions? lora = null)
    {
        var student = LoraStudents.WithAdapters(basePath, lora ?? LoraStudents.Options());
        using var trainer = Trainer.Start(student, LoraStudents.Vocabulary, new SyntheticTraces(), options, run);
        return trainer.Run();
    }

    [Fact]
    public void Adapters_start_at_zero_so_the_student_computes_its_base()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Qwen2);
        var (_, _, plain) = StudentGguf.Import(basePath);
        using var _ = plain;
        using var adapted = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        Assert.All(adapted.LoraParameters().Where(p => p.Key.EndsWith(".lora_b")), p => Assert.Equal(0, p.Value.abs().max().item<float>()));
        Assert.Equal(0f, StudentLogits.MaxAbsDifference(StudentLogits.Of(plain, Tokens), StudentLogits.Of(adapted, Tokens)));
    }

    [Fact]
    public void Only_adapters_train_and_the_base_file_and_weights_stay_bit_identical()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Llama);
        string hash = FileHash.Sha256(basePath);
        var before = TrainerRuns.Weights(StudentGguf.Import(basePath).Model);

        var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        long trainable = student.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        long adapters = student.LoraParameters().Values.Sum(p => p.numel());
        Assert.Equal(adapters, trainable);
        using (var trainer = Trainer.Start(student, LoraStudents.Vocabulary, new SyntheticTraces(), Options(8), dir.File("run")))
        {
            var summary = trainer.Run();
            Assert.True(summary.Loss!.Loss < 20);
            var after = TrainerRuns.Weights(trainer.Model);
            Assert.Equal(before.Keys.Order(), after.Keys.Order());
            foreach (var (name, values) in before) Assert.True(values.SequenceEqual(after[name]), $"{name} changed: the base must stay frozen");
            Assert.Contains(trainer.Model.LoraParameters(), p => p.Key.EndsWith(".lora_b") && p.Value.abs().max().item<float>() > 0);
        }
        Assert.Equal(hash, FileHash.Sha256(basePath));
        string checkpoint = Path.Combine(dir.File("run"), Trainer.CheckpointFolderName);
        Assert.True(File.Exists(Path.Combine(checkpoint, StudentCheckpoint.AdapterFile)));
        Assert.False(File.Exists(Path.Combine(checkpoint, StudentCheckpoint.WeightsFile)));
        // Optimizer moments for the adapters only: far smaller than for every weight.
        long optimizerBytes = new FileInfo(Path.Combine(checkpoint, TrainingCheckpoint.OptimizerFile)).Length;
        Assert.True(optimizerBytes < 2 * 4 * adapters + 64 * 1024, $"optimizer state is {optimizerBytes} bytes for {adapters} adapter values");
    }

    [Fact]
    public void A_resumed_lora_run_ends_bit_identical_to_an_uninterrupted_one()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Qwen3);
        var lora = LoraStudents.Options() with { Dropout = 0.1 };
        Train(basePath, dir.File("straight"), Options(8), lora);

        string split = dir.File("split");
        using (var cancel = new CancellationTokenSource())
        {
            var student = LoraStudents.WithAdapters(basePath, lora);
            using var trainer = Trainer.Start(student, LoraStudents.Vocabulary, new SyntheticTraces(), Options(8), split);
            var summary = trainer.Run(new TrainerRuns.InlineProgress(p => { if (p.Step == 3) cancel.Cancel(); }), cancel.Token);
            Assert.True(summary.Interrupted);
        }
        using (var resumed = Trainer.Resume(split, new SyntheticTraces()))
        {
            Assert.NotNull(resumed.Model.Lora);
            Assert.Equal(8, resumed.Run().Step);
        }
        string Adapter(string run) => Path.Combine(run, Trainer.CheckpointFolderName, StudentCheckpoint.AdapterFile);
        Assert.Equal(File.ReadAllBytes(Adapter(dir.File("straight"))), File.ReadAllBytes(Adapter(split)));
    }

    [Fact]
    public void A_rank_above_a_projections_dimensions_is_refused_by_name()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Llama);
        var (_, _, model) = StudentGguf.Import(basePath);
        using var _ = model;
        var error = Assert.Throws<ArgumentException>(() => model.AttachLora(new LoraBase(LoraStudents.Options(rank: 48), basePath, FileHash.Sha256(basePath))));
        Assert.Contains("rank 48", error.Message);
        Assert.Contains("blk.0.attn_k.weight", error.Message); // 64 → 32: the smallest projection of the tiny Llama
    }

    [Fact]
    public void A_checkpoint_whose_base_changed_is_refused_with_both_hashes()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Llama);
        Train(basePath, dir.File("run"), Options(2));
        LoraStudents.WriteBase(basePath, ModelArchitecture.Llama, seed: 5); // another base at the same path
        var error = Assert.Throws<InvalidDataException>(() => Trainer.Resume(dir.File("run"), new SyntheticTraces()).Dispose());
        Assert.Contains("the base changed", error.Message);
    }

    [Fact]
    public void A_bf16_base_holds_its_projections_in_bfloat16_and_stays_within_its_rounding()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Qwen2);
        using var exact = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        using var rounded = LoraStudents.WithAdapters(basePath, LoraStudents.Options() with { BaseType = LoraBaseType.BF16 });
        LoraStudents.Perturb(exact);
        LoraStudents.Perturb(rounded);
        var projections = rounded.Projections().ToArray();
        Assert.All(projections, p => Assert.Equal(ScalarType.BFloat16, p.Projection.Weight.dtype));
        Assert.All(projections, p => Assert.Equal(ScalarType.Float32, p.Projection.LoraA!.dtype));
        float difference = StudentLogits.MaxAbsDifference(StudentLogits.Of(exact, Tokens), StudentLogits.Of(rounded, Tokens));
        float scale = StudentLogits.Of(exact, Tokens).SelectMany(r => r).Max(Math.Abs);
        Assert.InRange(difference, 1e-6f, 0.05f * scale); // rounded, but only by bfloat16's 8-bit mantissa through two blocks

        // It trains, and its merged export is a float32 GGUF.
        using (var trainer = Trainer.Start(LoraStudents.WithAdapters(basePath, LoraStudents.Options() with { BaseType = LoraBaseType.BF16 }),
            LoraStudents.Vocabulary, new SyntheticTraces(), Options(3), dir.File("run")))
            Assert.Equal(3, trainer.Run().Step);
        string merged = dir.File("merged.gguf");
        LlmDistill.Export.StudentExport.Export(dir.File("run"), merged, LlmDistill.Export.ExportType.F32);
        using var file = LlmDistill.Gguf.GgufFile.Open(merged);
        Assert.Equal(LlmDistill.Gguf.GgmlType.F32, file.GetTensor("blk.0.attn_q.weight").Type);
    }
}
