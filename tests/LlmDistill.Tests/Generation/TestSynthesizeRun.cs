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
             "--max-tokens", "24", "--parallel", "4", "--ctx", "1024"];
        using var reference = new TempDirectory();
        var span = KillCampaign.Complete(Args(reference.Path));
        byte[] expected = File.ReadAllBytes(reference.File("new.jsonl"));
        Assert.NotEmpty(expected);

        new KillCampaign(log).Run(seed: 18, KillCampaign.Points(quick: 2), span, Args, Args,
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
}
