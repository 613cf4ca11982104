using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Student;
using System.Text.Json;
using LlmDistill.Cli;
using LlmDistill.Demo;
using LlmDistill.Evaluation;
using LlmDistill.Gguf;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Demo;

/// <summary>The demo end to end at miniature size: every stage runs for real (TorchSharp, llama.cpp, Parquet), in seconds.</summary>
[Collection(MiniatureDemoCollection.Name)]
public class TestDemoRun(MiniatureDemoFixture demo, ITestOutputHelper log)
{
    [Fact]
    public void The_miniature_demo_runs_every_stage_and_leaves_a_report_and_four_student_ggufs()
    {
        // Timing is measured, not asserted (about 7 s alone on 2 cores; more when other tests share the cores).
        log.WriteLine($"miniature demo: {demo.Wall.TotalSeconds:F1} s");
        Assert.False(demo.Summary.TeacherCached);
        Assert.Equal(DemoRecipe.Miniature.HeldOutQuestions, demo.Summary.HeldoutQuestions);
        Assert.True(File.Exists(Path.Combine(demo.Summary.Report, ReportFolder.HtmlFile)));
        foreach (string student in new[] { "baseline", "rationale", "distilled", "onpolicy" })
            Assert.True(File.Exists(Path.Combine(demo.Output, "students", student + ".gguf")), student);
        Assert.True(File.Exists(Path.Combine(demo.Output, DemoSummaryMarkdown.FileName)));
    }

    [Fact]
    public void Summary_json_has_every_key_the_issue_names()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(demo.Output, DemoSummary.FileName)));
        var root = json.RootElement;
        Assert.InRange(root.GetProperty("teacher_accuracy").GetDouble(), 0, 1);
        Assert.Equal(DemoRecipe.Miniature.HeldOutQuestions, root.GetProperty("heldout_questions").GetInt32());
        Assert.True(root.GetProperty("wall_seconds").GetDouble() > 0);
        Assert.False(root.GetProperty("teacher_cached").GetBoolean());
        long teacherParams = root.GetProperty("teacher_params").GetInt64();
        using var teacher = GgufFile.Open(demo.TeacherPath);
        Assert.Equal(teacher.Tensors.Sum(t => t.ElementCount), teacherParams);
        var studentParams = new HashSet<long>();
        foreach (string student in new[] { "baseline", "rationale", "distilled", "onpolicy" })
        {
            var s = root.GetProperty(student);
            Assert.InRange(s.GetProperty("accuracy").GetDouble(), 0, 1);
            Assert.Equal(s.GetProperty("accuracy").GetDouble(), Assert.Single(s.GetProperty("seed_accuracies").EnumerateArray()).GetDouble());
            Assert.Equal(0, s.GetProperty("sd").GetDouble());
            studentParams.Add(s.GetProperty("params").GetInt64());
        }
        Assert.Equal(1, root.GetProperty("seeds").GetInt32());
        Assert.Equal(3, root.GetProperty("pooled_comparisons").GetArrayLength());
        long only = Assert.Single(studentParams); // four students of the same size
        Assert.True(only * 5 <= teacherParams, $"student {only} vs teacher {teacherParams}");
    }

    [Fact]
    public void The_teacher_is_a_llama_gguf_whose_traces_carry_top_k_soft_targets()
    {
        using (var file = GgufFile.Open(demo.TeacherPath)) Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        var records = TraceReader.Read(Path.Combine(demo.Output, "traces")).ToList();
        Assert.Equal(DemoRecipe.Miniature.PoolQuestions * DemoRecipe.Miniature.Samples, records.Count);
        Assert.All(records, r =>
        {
            Assert.Equal(DemoRecipe.Miniature.CaptureTopK, r.TopK);
            Assert.Equal(r.CompletionTokenIds.Length * r.TopK, r.TopIds.Length);
        });
    }

    [Fact]
    public void A_second_run_with_two_seeds_and_the_control_takes_the_teacher_from_the_cache_and_reports_each_students_seeds_with_mean_and_sd()
    {
        using var folder = new TempDirectory();
        string output = folder.File("again");
        // The control (c′) is not part of the teacher's recipe: the cached teacher serves.
        var recipe = DemoRecipe.Miniature with { OffPolicyControl = true };
        Assert.Equal(DemoRecipe.Miniature.TeacherKey, recipe.TeacherKey);
        var again = DemoRun.Run(new DemoSettings { OutputFolder = output, Recipe = recipe, CacheFolder = demo.Cache, Seeds = 2 });
        Assert.True(again.TeacherCached);
        Assert.Equal(demo.Summary.TeacherAccuracy, again.TeacherAccuracy);
        Assert.Equal(demo.Summary.TeacherParams, again.TeacherParams);

        Assert.Equal(2, again.Seeds);
        foreach (var (name, result) in DemoSummaryMarkdown.Students(again))
        {
            Assert.Equal(2, result.SeedAccuracies.Count);
            Assert.Equal(result.SeedAccuracies.Average(), result.Accuracy, 12);
            Assert.Equal(Math.Abs(result.SeedAccuracies[0] - result.SeedAccuracies[1]) / Math.Sqrt(2), result.Sd, 12);
            Assert.Contains(name, File.ReadAllText(Path.Combine(output, DemoSummaryMarkdown.FileName)));
        }
        // Seed 0 is the single-seed run's: the same students, trained the same way, answer the same.
        Assert.Equal(demo.Summary.Distilled.Accuracy, again.Distilled.SeedAccuracies[0]);
        Assert.Equal(demo.Summary.Onpolicy!.Accuracy, again.Onpolicy!.SeedAccuracies[0]);
        Assert.True(File.Exists(Path.Combine(output, "students", "onpolicy-s1.gguf")));
        Assert.True(File.Exists(Path.Combine(output, "students", "continued-s1.gguf")));
        Assert.Equal(5, DemoSummaryMarkdown.Students(again).Count());
        Assert.Single(again.PooledComparisons, c => c.A == "distilled" && c.B == "continued");
        Assert.Single(again.PooledComparisons, c => c.A == "continued" && c.B == "onpolicy");
        var pooled = Assert.Single(again.PooledComparisons, c => c.A == "distilled" && c.B == "onpolicy");
        Assert.Equal(2 * again.HeldoutQuestions, pooled.Questions);
        Assert.Equal(pooled.Questions, pooled.BothCorrect + pooled.OnlyA + pooled.OnlyB + pooled.BothWrong);
    }

    [Fact]
    public void A_recipe_that_borrows_a_cached_teacher_uses_it_instead_of_training_its_own()
    {
        using var folder = new TempDirectory();
        var borrower = DemoRecipe.Miniature with { Name = "borrower", TeacherSteps = 7, BorrowTeacherOf = "miniature" };
        var run = DemoRun.Run(new DemoSettings { OutputFolder = folder.File("borrow"), Recipe = borrower, CacheFolder = demo.Cache });
        Assert.True(run.TeacherCached);
        Assert.Equal("miniature", run.TeacherRecipe);
        Assert.Equal(demo.Summary.TeacherAccuracy, run.TeacherAccuracy);
        Assert.False(File.Exists(DemoTeacher.CachedPath(borrower, demo.Cache))); // nothing trained for the borrower
    }

    [Fact]
    public void The_teacher_cache_key_follows_the_teacher_recipe_only()
    {
        var r = DemoRecipe.Full;
        Assert.Equal(r.TeacherKey, (r with { StudentSteps = 1, PoolQuestions = 7, Name = "other" }).TeacherKey);
        Assert.NotEqual(r.TeacherKey, (r with { TeacherSteps = r.TeacherSteps + 1 }).TeacherKey);
        Assert.NotEqual(r.TeacherKey, (r with { TeacherShape = r.TeacherShape with { BlockCount = 3 } }).TeacherKey);
    }

    [Fact]
    public void A_recipe_file_round_trips_and_a_bad_one_names_the_file()
    {
        using var folder = new TempDirectory();
        string path = folder.Write("recipe.json", JsonSerializer.Serialize(DemoRecipe.Quick, DemoSummary.Json));
        var read = DemoRecipe.Parse(path);
        Assert.Equal(DemoRecipe.Quick.TeacherKey, read.TeacherKey);
        Assert.Equal(DemoRecipe.Quick.StudentShape, read.StudentShape);
        string bad = folder.Write("bad.json", "{\"name\": \"x\", \"teacher_steps\": \"many\"}");
        var e = Assert.Throws<InvalidDataException>(() => DemoRecipe.Parse(bad));
        Assert.Contains(bad, e.Message);
    }

    [Theory]
    [InlineData("teacher_shape", 5, "HeadCountKv (5) must divide HeadCount (4)")]
    [InlineData("student_shape", -4, "HeadCountKv must be positive, not -4")]
    public void A_recipe_whose_shape_cannot_be_built_is_refused_by_field_when_read(string field, int kvHeads, string why)
    {
        // Found by fuzzing (tests/fuzz/regressions/recipe): the shape was first checked when the cache key was computed,
        // as an ArgumentException from the model config.
        using var folder = new TempDirectory();
        var json = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(DemoRecipe.Quick, DemoSummary.Json))!;
        json[field]!["head_count_kv"] = kvHeads;
        string path = folder.Write("recipe.json", json.ToJsonString());
        var e = Assert.Throws<InvalidDataException>(() => DemoRecipe.Parse(path));
        Assert.Equal($"{path}: {field}: {why}.", e.Message);
    }

    [Fact]
    public void The_demo_command_refuses_an_unknown_recipe_in_one_sentence()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LlmDistillCli.Run(["demo", "--recipe", "enormous", "--out", Path.Combine(Path.GetTempPath(), "never-written")], output, error);
        Assert.Equal(2, code);
        Assert.Contains("'enormous' is neither a demo recipe", error.ToString());
        Assert.False(Directory.Exists(Path.Combine(Path.GetTempPath(), "never-written")));
    }
}
