using System.Text.Json;
using LlmDistill.Generation;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Generation;

[Collection(TinyTeacherCollection.Name)]
public class TestSynthesizeRun(TinyTeacherFixture teachers)
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

    [Theory]
    [InlineData("Problem: Tom has 5 apples. How many?\n\nSolution: 5", "Tom has 5 apples. How many?")]
    [InlineData("  A bus   carries 40\npeople each trip. How many in 3 trips?  ", "A bus carries 40 people each trip. How many in 3 trips?")]
    [InlineData("42", null)]
    [InlineData("   ", null)]
    public void Cleaning_keeps_the_first_paragraph_without_its_label(string completion, string? expected) =>
        Assert.Equal(expected, SynthesizeRun.Clean(completion));
}
