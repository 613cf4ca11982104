using System.Text.Json;
using LlmDistill.Generation;
using LlmDistill.Tests.Fixtures;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Generation;

[Collection(TinyTeacherCollection.Name)]
public class TestSynthesizeRun(TinyTeacherFixture teachers, ITestOutputHelper log)
{
    [Fact]
    public void New_questions_are_written_whole_with_unique_ids_and_no_seed_copies()
    {
        using var folder = new TempDirectory();
        string output = folder.File("new.jsonl");
        var summary = SynthesizeRun.Run(new SynthesizeSettings
        {
            TeacherPath = teachers.Llama.Path, SeedDataPath = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            PromptPath = RepositoryFiles.Path("prompts/synthesize-questions.yaml"), OutputPath = output, Count = 4, Raw = true,
            Sampling = new() { Temperature = 0.9f, MaxTokens = 24 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 },
        });
        Assert.False(File.Exists(output + ".tmp"));
        var lines = File.ReadAllLines(output);
        Assert.Equal(summary.Written, lines.Length);
        Assert.True(summary.Written is >= 1 and <= 4, summary.ToString());
        var questions = lines.Select(l => JsonDocument.Parse(l).RootElement).Select(e => (Id: e.GetProperty("id").GetString()!, Question: e.GetProperty("question").GetString()!)).ToArray();
        Assert.Equal(questions.Length, questions.Select(q => q.Id).Distinct().Count());
        Assert.All(questions, q => Assert.StartsWith("syn-", q.Id));
        Assert.True(summary.Attempts >= summary.Written);
    }

    [Fact]
    public void Killed_at_seeded_moments_synthesize_leaves_the_whole_file_or_none_and_each_rerun_writes_the_same_questions()
    {
        string[] Args(string folder) =>
            ["synthesize", "--teacher", teachers.LlamaPath, "--seed-data", RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
             "--prompt", RepositoryFiles.Path("prompts/synthesize-questions.yaml"), "--out", Path.Combine(folder, "new.jsonl"), "--count", "4", "--raw",
             "--max-tokens", "24", "--parallel", "4", "--ctx", "1024", "--threads", "1"]; // no thread spinning at a barrier: CPU time measures work (KillCampaign)
        using var reference = new TempDirectory();
        var span = KillCampaign.Reference(Args(reference.Path), watch: reference.Path);
        byte[] expected = File.ReadAllBytes(reference.File("new.jsonl"));
        Assert.NotEmpty(expected);

        new KillCampaign(log).Run("synthesize", seed: 18, KillCampaign.Points(quick: 1), span, Args, Args,
            afterKill: folder =>
            {
                string output = Path.Combine(folder, "new.jsonl");
                if (File.Exists(output)) Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(output)), "a half-written new.jsonl");
            },
            afterRerun: folder =>
            {
                Assert.True(expected.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(folder, "new.jsonl"))), "the rerun wrote other questions");
                Assert.Equal(["new.jsonl"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName)); // no temporary, no lock left behind
            });
    }

    [Theory]
    [InlineData("Problem: Tom has 5 apples. How many?\n\nSolution: 5", "Tom has 5 apples. How many?")]
    [InlineData("  A bus   carries 40\npeople each trip. How many in 3 trips?  ", "A bus carries 40 people each trip. How many in 3 trips?")]
    [InlineData("42", null)]
    [InlineData("   ", null)]
    public void Cleaning_keeps_the_first_paragraph_without_its_label(string completion, string? expected) =>
        Assert.Equal(expected, SynthesizeRun.Clean(completion));

    [SmallDiskFact]
    public void A_full_disk_stops_synthesize_in_one_sentence_naming_the_file_and_keeps_the_earlier_output_whole()
    {
        using var disk = new SmallDisk(1 << 20);
        string[] Args(string name) =>
            ["synthesize", "--teacher", teachers.LlamaPath, "--seed-data", RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
             "--prompt", RepositoryFiles.Path("prompts/synthesize-questions.yaml"), "--out", Path.Combine(disk.Path, name), "--count", "4", "--raw",
             "--max-tokens", "24", "--parallel", "4", "--ctx", "1024"];
        var first = CliRun.Run(Args("a.jsonl"));
        Assert.True(first.Code == 0, first.Error);
        byte[] earlier = File.ReadAllBytes(Path.Combine(disk.Path, "a.jsonl"));
        disk.Fill(free: 4096); // the lock's page, nothing for the questions

        var (code, _, error) = CliRun.Run(Args("b.jsonl"));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", error);
        Assert.Contains(Path.Combine(disk.Path, "b.jsonl"), error);
        Assert.False(File.Exists(Path.Combine(disk.Path, "b.jsonl")));
        Assert.True(earlier.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(disk.Path, "a.jsonl"))));

        File.Delete(Path.Combine(disk.Path, "filler"));
        var rerun = CliRun.Run(Args("b.jsonl"));
        Assert.True(rerun.Code == 0, rerun.Error);
        Assert.Equal(earlier, File.ReadAllBytes(Path.Combine(disk.Path, "b.jsonl"))); // same settings, same questions
        Assert.DoesNotContain(Directory.GetFileSystemEntries(disk.Path), e => e.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_synthesize_in_one_sentence_naming_it()
    {
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = CliRun.Run("synthesize", "--teacher", teachers.LlamaPath, "--seed-data", RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            "--out", Path.Combine(disk.Path, "new.jsonl"), "--count", "2", "--ctx", "1024");
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
