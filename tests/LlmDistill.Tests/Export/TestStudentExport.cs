using LlmDistill.Tests.Training;
using LlmDistill.Export;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Native;
using LlmDistill.Tests.Student;
using LlmDistill.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Export;

[Collection(LlamaCollection.Name)]
public class TestStudentExport
{
    readonly ITestOutputHelper _log;

    public TestStudentExport(ITestOutputHelper log)
    {
        TorchRuntime.EnsureLoadable();
        _log = log;
    }

    [Fact]
    public void A_trained_run_exports_to_f32_whose_llama_cpp_logits_match_the_students()
    {
        using var run = new TempDirectory();
        TrainerRuns.Train(run.Path, TrainerRuns.Options(30));
        string path = run.File("student-f32.gguf");
        StudentExport.Export(run.Path, path, ExportType.F32);
        using (var gguf = GgufFile.Open(path)) Assert.Equal(GgmlType.F32, gguf.GetTensor(ModelTensors.TokenEmbedding).Type);

        int[] tokens = [2, 12, 14, 16, 18, 20]; // count in steps of 2
        using var teacher = GgufModel.Load(path);
        Assert.Equal(TrainerRuns.Vocabulary.Count, teacher.VocabSize);
        float[][] expected = LlamaCppReference.Logits(teacher.Model, tokens); // [T][V]

        using var student = StudentCheckpoint.Load(Path.Combine(run.Path, Trainer.CheckpointFolderName)).Model;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var logits = student.call(tensor(tokens.Select(t => (long)t).ToArray()).unsqueeze(0))[0]; // (T, V)
        var reference = tensor(expected.SelectMany(row => row).ToArray()).reshape(logits.shape);
        double worst = (logits - reference).abs().max().item<float>();
        Assert.True(worst < 1e-3, $"largest logit difference {worst}");
    }

    [Fact]
    public void A_gemma3_student_imported_from_gguf_trains_and_exports_to_a_gemma3_gguf_whose_llama_cpp_logits_match()
    {
        using var run = new TempDirectory();
        string init = run.File("gemma3-init.gguf");
        var config = LlamaModelConfig.TinyGemma3(TrainerRuns.Vocabulary.Count);
        ModelGgufWriter.Write(init, config, TrainerRuns.Vocabulary, RandomLlamaWeights.Create(seed: 5), GgmlType.F32, "gemma3-init");

        var student = StudentInitialization.FromGguf(init);
        Assert.Equal(config, student.Model.Config);
        TrainingSummary summary;
        using (var trainer = Trainer.Start(student.Model, student.Vocabulary, new SyntheticTraces(length: 24), TrainerRuns.Options(20), run.Path))
            summary = trainer.Run();
        double firstLoss = MetricsLog.Read(summary.MetricsPath).First(r => r.Loss is not null).Loss!.Value;
        Assert.True(summary.Loss!.Loss < firstLoss, $"training loss went from {firstLoss} to {summary.Loss.Loss}");

        string path = run.File("student-f32.gguf");
        StudentExport.Export(run.Path, path, ExportType.F32);
        using (var gguf = GgufFile.Open(path))
        {
            Assert.Equal("gemma3", gguf.Metadata.GetString("general.architecture"));
            Assert.Equal(8, gguf.Metadata.GetInt32("gemma3.attention.sliding_window"));
        }
        int[] tokens = Enumerable.Range(0, 30).Select(i => (i * 13 + 2) % TrainerRuns.Vocabulary.Count).ToArray(); // longer than the window
        using var teacher = GgufModel.Load(path);
        using var trained = StudentCheckpoint.Load(Path.Combine(run.Path, Trainer.CheckpointFolderName)).Model;
        trained.RoundGeluLikeGgmlCpu();
        float worst = StudentLogits.MaxAbsDifference(StudentLogits.Of(trained, tokens), LlamaCppReference.Logits(teacher.Model, tokens));
        Assert.True(worst <= 1e-3f, $"largest logit difference {worst}");
    }

    [Fact]
    public void Q4_K_M_goes_through_llama_cpp_for_a_student_whose_widths_are_multiples_of_256()
    {
        using var folder = new TempDirectory();
        var vocabulary = TrainerRuns.Vocabulary;
        var shape = new StudentShape { EmbeddingLength = 256, BlockCount = 1, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 512, ContextLength = 256, TiedEmbeddings = false };
        random.manual_seed(2);
        using (var model = new StudentModel(shape.For(ModelArchitecture.Llama, vocabulary.Count, 10000, 1e-5f)))
            StudentCheckpoint.Save(folder.File("checkpoint"), model, vocabulary);

        string q4 = folder.File("student-q4_k_m.gguf");
        StudentExport.Export(folder.File("checkpoint"), q4, ExportType.Q4_K_M);
        using (var gguf = GgufFile.Open(q4))
        {
            Assert.Equal(GgmlType.Q4_K, gguf.GetTensor(ModelTensors.Block(0, "attn_q.weight")).Type);
            Assert.Equal(GgmlType.F32, gguf.GetTensor(ModelTensors.Block(0, "attn_norm.weight")).Type);
        }
        Assert.True(new FileInfo(q4).Length < new FileInfo(Path.Combine(folder.File("checkpoint"), StudentCheckpoint.WeightsFile)).Length / 4);
        Assert.Empty(Directory.EnumerateFiles(folder.Path, "*.f32-*")); // the intermediate is gone
        using var loaded = GgufModel.Load(q4);
        Assert.Equal(vocabulary.Count, loaded.VocabSize);
    }

    [Fact]
    public void Killed_at_seeded_moments_export_leaves_the_whole_gguf_or_none_and_each_rerun_writes_the_same_bytes()
    {
        using var folder = new TempDirectory();
        var shape = new StudentShape { EmbeddingLength = 256, BlockCount = 1, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 512, ContextLength = 256, TiedEmbeddings = false };
        random.manual_seed(3);
        using (var model = new StudentModel(shape.For(ModelArchitecture.Llama, TrainerRuns.Vocabulary.Count, 10000, 1e-5f)))
            StudentCheckpoint.Save(folder.File("checkpoint"), model, TrainerRuns.Vocabulary);
        // Q4_K_M: the managed writer's F32 intermediate, then llama.cpp's quantizer, each with its own temporary file.
        string[] Args(string output) => ["export", "--checkpoint", folder.File("checkpoint"), "--out", Path.Combine(output, "student.gguf"), "--type", "q4_k_m"];

        using var reference = new TempDirectory();
        var span = KillCampaign.Reference(Args(reference.Path), watch: reference.Path);
        byte[] expected = File.ReadAllBytes(reference.File("student.gguf"));

        new KillCampaign(_log).Run("export", seed: 18, KillCampaign.Points(quick: 1), span, Args, Args,
            afterKill: output =>
            {
                string gguf = Path.Combine(output, "student.gguf");
                if (File.Exists(gguf)) Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(gguf)), "a half-written student.gguf");
            },
            afterRerun: output =>
            {
                Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(output, "student.gguf"))), "the rerun wrote other bytes");
                Assert.Equal(["student.gguf"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName)); // no temporary left behind
            });
    }

    [Fact]
    public void An_unknown_type_names_the_types_there_are()
    {
        var error = Assert.Throws<FormatException>(() => ExportTypes.Parse("q3_xs"));
        Assert.Contains("q4_k_m", error.Message);
    }

    [SmallDiskFact]
    public void A_full_disk_stops_export_in_one_sentence_naming_the_file_and_keeps_the_earlier_export_whole()
    {
        using var folder = new TempDirectory();
        using (var model = TrainerRuns.Student()) StudentCheckpoint.Save(folder.File("checkpoint"), model, TrainerRuns.Vocabulary);
        StudentExport.Export(folder.File("checkpoint"), folder.File("reference.gguf"), ExportType.F32);
        byte[] expected = File.ReadAllBytes(folder.File("reference.gguf"));
        // Room for one export (its pages, the lock's page and one spare): the second cannot be staged.
        using var disk = new SmallDisk(((expected.Length + 4095) / 4096 + 2) * 4096);
        string[] Export(string name) => ["export", "--checkpoint", folder.File("checkpoint"), "--out", Path.Combine(disk.Path, name), "--type", "f32"];
        var first = CliRun.Run(Export("a.gguf"));
        Assert.True(first.Code == 0, first.Error);

        var (code, _, error) = CliRun.Run(Export("b.gguf"));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", error);
        Assert.Contains(Path.Combine(disk.Path, "b.gguf"), error);
        Assert.Equal(["a.gguf"], Directory.GetFileSystemEntries(disk.Path).Select(Path.GetFileName)); // no temporary, no half b.gguf
        Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(disk.Path, "a.gguf"))));

        disk.Resize(64 << 20);
        var rerun = CliRun.Run(Export("b.gguf"));
        Assert.True(rerun.Code == 0, rerun.Error);
        Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(disk.Path, "b.gguf"))));
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_export_in_one_sentence_naming_it()
    {
        using var folder = new TempDirectory();
        using (var model = TrainerRuns.Student()) StudentCheckpoint.Save(folder.File("checkpoint"), model, TrainerRuns.Vocabulary);
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = CliRun.Run("export", "--checkpoint", folder.File("checkpoint"), "--out", Path.Combine(disk.Path, "student.gguf"));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
