using static LlmDistill.Tests.Fixtures.CliRun;
using LlmDistill.Cli;
using LlmDistill.Generation;
using LlmDistill.Models;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using LlmDistill.Training;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Training;

[Collection(TinyTeacherCollection.Name)]
public class TestTrainCli(TinyTeacherFixture teachers, ITestOutputHelper log)
{
    /// <summary>12 real traces (6 questions × 2 samples, 12 tokens each, top-5) from the tiny Qwen2 teacher.</summary>
    string Traces(TempDirectory folder)
    {
        string traces = Path.Combine(folder.Path, "traces");
        GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teachers.Qwen2Path, DataPath = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            Prompt = new() { Template = RepositoryFiles.Path("prompts/cot-math.yaml") }, OutputFolder = traces,
            Samples = 2, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 6,
        });
        return traces;
    }

    [Fact]
    public void Train_help_lists_the_options_with_examples()
    {
        var (code, output, _) = Run("train", "--help");
        Assert.Equal(0, code);
        foreach (string option in new[] { "--traces", "--student", "--teacher", "--init", "--init-from-teacher", "--layers", "--resume", "--divergence", "--device", "Examples:" })
            Assert.Contains(option, output);
        Assert.Contains("Example:", Run("export", "--help").Output);
    }

    [Fact]
    public void Train_then_resume_then_export_on_real_traces_gives_a_gguf_llama_cpp_loads()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        string run = Path.Combine(folder.Path, "run");

        var (code, output, error) = Run("train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--student", "tiny", "--out", run,
            "--steps", "4", "--batch-size", "4", "--log-every", "2", "--eval-every", "2", "--eval-percent", "30", "--all-traces", "--warmup", "1", "--lr", "3e-3");
        Assert.True(code == 0, error + output);
        Assert.Contains("4 of 4", output);
        Assert.Contains("eval loss", output);
        var records = MetricsLog.Read(Path.Combine(run, Trainer.MetricsFileName)).ToArray();
        Assert.Equal([2L, 4], records.Select(r => r.Step));
        Assert.All(records, r => Assert.True(r.EvalLoss > 0 && r.Loss > 0));

        (code, output, error) = Run("train", "--traces", traces, "--out", run, "--resume", "--steps", "6");
        Assert.True(code == 0, error + output);
        Assert.Contains("6 of 6 (2 in this run)", output);

        string gguf = Path.Combine(folder.Path, "student.gguf");
        (code, output, error) = Run("export", "--checkpoint", run, "--out", gguf, "--type", "f16");
        Assert.True(code == 0, error + output);
        Assert.Contains("wrote", output);
        using var student = GgufModel.Load(gguf);
        Assert.Equal(teachers.Vocabulary.Count, student.VocabSize);
        Assert.Equal("qwen2", student.Architecture);
    }

    [SmallDiskFact]
    public void A_full_disk_during_a_checkpoint_fails_in_one_sentence_and_the_last_checkpoint_still_resumes()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        using var disk = new SmallDisk(1L << 30);
        string run = Path.Combine(disk.Path, "run");
        var (code, output, error) = Run("train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--student", "tiny", "--out", run,
            "--steps", "2", "--batch-size", "4", "--all-traces", "--warmup", "1");
        Assert.True(code == 0, error + output);

        // Room for what is there and 1 MiB more: the next checkpoint cannot be staged.
        var drive = new DriveInfo(disk.Path);
        disk.Resize(drive.TotalSize - drive.AvailableFreeSpace + (1 << 20));
        (code, output, error) = Run("train", "--traces", traces, "--out", run, "--resume", "--steps", "4");
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", error);
        Assert.Contains(run, error);

        disk.Resize(1L << 30);
        (code, output, error) = Run("train", "--traces", traces, "--out", run, "--resume", "--steps", "4");
        Assert.True(code == 0, error + output);
        Assert.Contains("4 of 4 (2 in this run)", output);
    }

    [Fact]
    public void Killed_at_seeded_moments_train_resumes_to_a_final_checkpoint_bit_identical_to_an_uninterrupted_run()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        string[] Start(string run) => ["train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--student", "tiny", "--out", run,
            "--steps", "6", "--batch-size", "4", "--all-traces", "--warmup", "1", "--checkpoint-every", "1", "--log-every", "1"];
        // What a user does after a crash: resume when a checkpoint made it to disk, else start again.
        string[] Rerun(string run) => TrainingCheckpoint.Exists(Path.Combine(run, Trainer.CheckpointFolderName))
            ? ["train", "--traces", traces, "--out", run, "--resume", "--steps", "6"] : Start(run);
        static SortedDictionary<string, byte[]> Checkpoint(string run) => KillCampaign.Files(Path.Combine(run, Trainer.CheckpointFolderName));

        string reference = folder.File("reference");
        var span = KillCampaign.Reference(Start(reference), watch: reference);
        // About one CPU training process in 20 computes other last bits (README, "Reliability"): the reference is the
        // outcome two uninterrupted runs agree on, and a point whose rerun differs is tried once more.
        var expected = KillCampaign.AgreedOutputs(reference, Start, Checkpoint);

        new KillCampaign(log).Run("train", seed: 18, KillCampaign.Points(quick: 1), span, Start, Rerun, retries: 1,
            afterKill: run =>
            {
                string checkpoint = Path.Combine(run, Trainer.CheckpointFolderName);
                if (Directory.Exists(checkpoint)) Assert.True(TrainingCheckpoint.Exists(checkpoint), "a checkpoint folder without its optimizer state");
            },
            afterRerun: run =>
            {
                var actual = Checkpoint(run);
                Assert.Equal(expected.Keys, actual.Keys);
                foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs from the uninterrupted run's");
                Assert.Equal([Trainer.CheckpointFolderName], Directory.GetDirectories(run).Select(Path.GetFileName)); // no staging folder left behind
            });
    }

    [Fact]
    public void Without_a_student_shape_train_picks_the_default_for_the_teacher_and_says_which()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        var (code, output, error) = Run("train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--out", folder.File("run"),
            "--steps", "1", "--batch-size", "2", "--max-length", "128", "--all-traces");
        Assert.True(code == 0, error);
        Assert.Contains("default shape tiny", output); // a teacher this small leaves room for no larger preset
    }

    [Fact]
    public void Traces_of_another_tokenizer_are_refused_in_one_sentence()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        var vocabulary = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        string other = folder.File("other.gguf");
        ModelGgufWriter.Write(other, LlamaModelConfig.TinyLlama(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 3), Gguf.GgmlType.F32, "other");

        var (code, _, error) = Run("train", "--traces", traces, "--init", other, "--out", folder.File("run"), "--steps", "1");
        Assert.Equal(2, code); // bad input
        Assert.Contains("tokenizer", error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void A_student_of_another_family_is_refused_with_another_vocabulary_and_trains_with_the_teachers()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder); // from the qwen2 teacher

        string other = folder.File("gemma3-other-vocabulary.gguf");
        var small = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        ModelGgufWriter.Write(other, LlamaModelConfig.TinyGemma3(small.Count), small, RandomLlamaWeights.Create(seed: 3), Gguf.GgmlType.F32, "other");
        var (code, _, error) = Run("train", "--traces", traces, "--init", other, "--out", folder.File("refused"), "--steps", "1");
        Assert.Equal(2, code);
        Assert.Single(error.Trim().Split('\n'));
        Assert.Contains("come from a qwen2 teacher", error);
        Assert.Contains("a student's architecture may differ from the teacher's only where their vocabularies are identical", error);
        Assert.False(Directory.Exists(Path.Combine(folder.File("refused"), Trainer.CheckpointFolderName)));

        string same = folder.File("gemma3-teacher-vocabulary.gguf");
        ModelGgufWriter.Write(same, LlamaModelConfig.TinyGemma3(teachers.Vocabulary.Count), teachers.Vocabulary, RandomLlamaWeights.Create(seed: 3), Gguf.GgmlType.F32, "same");
        string output;
        (code, output, error) = Run("train", "--traces", traces, "--init", same, "--out", folder.File("run"), "--steps", "2", "--batch-size", "2", "--all-traces");
        Assert.True(code == 0, error + output);
    }

    [Fact]
    public void Cuda_without_the_cuda_build_fails_with_the_build_to_use()
    {
        if (TorchSharp.torch.cuda.is_available()) return;
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        var (code, _, error) = Run("train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--student", "tiny", "--out", folder.File("run"), "--device", "cuda");
        Assert.NotEqual(0, code);
        Assert.Contains("CUDA build of TorchSharp", error);
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_train_in_one_sentence_naming_it()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = Run("train", "--traces", traces, "--teacher", teachers.Qwen2Path, "--student", "tiny", "--out", Path.Combine(disk.Path, "run"), "--steps", "1");
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
