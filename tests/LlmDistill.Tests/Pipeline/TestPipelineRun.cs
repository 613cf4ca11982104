using LlmDistill.Cli;
using LlmDistill.Pipeline;
using LlmDistill.Tests.Demo;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Training;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Pipeline;

/// <summary>
/// `llmdistill run pipeline.yaml` on the miniature demo's teacher and questions: every stage runs once, unchanged
/// stages are skipped, a changed setting reruns its stage and those after it, and a bad file is named in one sentence.
/// </summary>
[Collection(MiniatureDemoCollection.Name)]
public class TestPipelineRun(MiniatureDemoFixture demo, ITestOutputHelper log)
{
    string Yaml(string output, int steps = 6) => $"""
        # a miniature pipeline
        teacher: {demo.TeacherPath}
        out: {output}
        raw: true
        generate:
          data: {demo.Pool}
          prompt: {demo.Prompt}
          samples: 2
          top_k: 8
          max_tokens: 40
          limit: 8
        train:
          student: tiny
          steps: {steps}
          batch_size: 4
          max_length: 128
        export:
          type: f32
        eval:
          data: {demo.HeldOut}
          max_tokens: 40
          limit: 6
        """;

    [Fact]
    public void Killed_at_seeded_moments_a_pipeline_rerun_ends_with_the_outputs_of_an_uninterrupted_run()
    {
        using var folder = new TempDirectory();
        // One pipeline.yaml per run folder (its out: key names the folder); each kill point gets a fresh one.
        string[] Args(string run) => ["run", Path.Combine(run, "pipeline.yaml")];
        string[] Prepare(string run)
        {
            File.WriteAllText(Path.Combine(run, "pipeline.yaml"), Yaml(Path.Combine(run, "out")));
            return Args(run);
        }
        static string[] Keys(string run) => [.. TraceReader.Read(Path.Combine(run, "out", "traces")).Select(r => r.Key).Order(StringComparer.Ordinal)];
        static string Report(string run) => Path.Combine(run, "out", "report", LlmDistill.Evaluation.Reports.PredictionsWriter.FileName);
        static SortedDictionary<string, byte[]> Outputs(string run) =>
            new(KillCampaign.Files(Path.Combine(run, "out", "student", Trainer.CheckpointFolderName))
                .Append(new("student-f32.gguf", File.ReadAllBytes(Path.Combine(run, "out", "student-f32.gguf"))))
                .Append(new("predictions.parquet", File.ReadAllBytes(Report(run)))).ToDictionary(), StringComparer.Ordinal);

        string reference = folder.File("reference");
        Directory.CreateDirectory(reference);
        var span = KillCampaign.Reference(Prepare(reference), watch: Path.Combine(reference, "out"));
        string[] keys = Keys(reference);
        // Its train stage computes other last bits in about one process of 20 (README, "Reliability"): the reference is
        // what two uninterrupted runs agree on, and a point whose rerun differs is tried once more.
        var expected = KillCampaign.AgreedOutputs(reference, Prepare, Outputs);

        new KillCampaign(log).Run("run pipeline.yaml", seed: 18, KillCampaign.Points(quick: 1), span, Prepare, Args, retries: 1,
            afterKill: run =>
            {
                string gguf = Path.Combine(run, "out", "student-f32.gguf");
                if (File.Exists(gguf)) Assert.True(expected["student-f32.gguf"].AsSpan().SequenceEqual(File.ReadAllBytes(gguf)), "a half-written student-f32.gguf");
            },
            afterRerun: run =>
            {
                Assert.Equal(keys, Keys(run));
                var actual = Outputs(run);
                Assert.Equal(expected.Keys, actual.Keys);
                foreach (var (file, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[file]), $"{file} differs from the uninterrupted run's");
            });
    }

    [Fact]
    public void A_second_run_skips_every_unchanged_stage_and_a_changed_setting_reruns_only_what_follows_it()
    {
        using var folder = new TempDirectory();
        string output = folder.File("run");
        string path = folder.Write("pipeline.yaml", Yaml(output));

        var first = PipelineRun.Run(PipelineFile.Load(path));
        Assert.Equal([PipelineRun.Generate, PipelineRun.Train, PipelineRun.Export, PipelineRun.Eval], first.Select(o => o.Stage));
        Assert.All(first, o => Assert.False(o.Skipped, o.Stage));
        Assert.True(File.Exists(Path.Combine(output, "student-f32.gguf")));
        Assert.True(File.Exists(Path.Combine(output, "report", "metrics.json")));

        var second = PipelineRun.Run(PipelineFile.Load(path));
        Assert.All(second, o => Assert.True(o.Skipped, o.Stage));

        File.WriteAllText(path, Yaml(output, steps: 8));
        var third = PipelineRun.Run(PipelineFile.Load(path));
        Assert.Equal([true, false, false, false], third.Select(o => o.Skipped));
    }

    [Fact]
    public void An_onpolicy_section_continues_the_trained_student_with_on_policy_rounds_and_exports_their_result()
    {
        using var folder = new TempDirectory();
        string output = folder.File("run");
        const string onPolicy = "onpolicy:\n  steps: 2\n  rounds: 2\n  batch_size: 4\n  max_length: 128\n  prompts_per_round: 4\n"
            + "  on_policy_max_tokens: 30\n  on_policy_top_k: 4\n  ctx: 256\n";
        string path = folder.Write("pipeline.yaml", Yaml(output).Replace("export:\n", onPolicy + "export:\n"));
        Assert.Contains("onpolicy:", File.ReadAllText(path));

        var outcomes = PipelineRun.Run(PipelineFile.Load(path));

        Assert.Equal([PipelineRun.Generate, PipelineRun.Train, PipelineRun.OnPolicy, PipelineRun.Export, PipelineRun.Eval], outcomes.Select(o => o.Stage));
        Assert.StartsWith("2 rounds to step 2", outcomes[2].Result);
        Assert.True(Directory.Exists(Path.Combine(output, "onpolicy", "rounds", "round-001", "scored")));
        Assert.True(File.Exists(Path.Combine(output, "student-f32.gguf")));
        Assert.All(PipelineRun.Run(PipelineFile.Load(path)), o => Assert.True(o.Skipped, o.Stage));
    }

    [Fact]
    public void An_unknown_key_is_named_with_its_line()
    {
        using var folder = new TempDirectory();
        string path = folder.Write("pipeline.yaml", Yaml(folder.File("run")).Replace("  samples: 2", "  smaples: 2"));
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("line 8", e.Message);
        Assert.Contains("smaples", e.Message);
    }

    [Theory]
    [InlineData("  samples: 2", "  samples: two", "line 8", "'generate.samples' cannot be 'two'")]
    [InlineData("  samples: 2", "  samples: 2\n  keep: best", "line 9", "'generate.keep' cannot be 'best'")]
    [InlineData("  batch_size: 4", "  batch_size: 4\n  divergence: jsd:1.5", "line 16", "'train.divergence' cannot be 'jsd:1.5'")]
    [InlineData("  top_k: 8", "  top_k: 8\n  top_p: 1.5", "line 10", "'generate.top_p' must lie in (0, 1], not 1.5")]
    [InlineData("  type: f32", "  type: q3_xs", "line 18", "'export.type' cannot be 'q3_xs'")]
    public void A_bad_value_is_named_by_its_key_as_the_command_line_would_refuse_it(string line, string replacement, string at, string message)
    {
        using var folder = new TempDirectory();
        string path = folder.Write("pipeline.yaml", Yaml(folder.File("run")).Replace(line, replacement));
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains(at, e.Message);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void A_key_the_pipeline_sets_itself_is_refused()
    {
        using var folder = new TempDirectory();
        string path = folder.Write("pipeline.yaml", Yaml(folder.File("run")).Replace("  samples: 2", "  samples: 2\n  teacher: other.gguf"));
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.Contains("'generate.teacher' is set by the pipeline itself", e.Message);
    }

    [Fact]
    public void The_run_command_refuses_a_file_without_a_teacher_in_one_sentence_and_writes_nothing()
    {
        using var folder = new TempDirectory();
        string output = folder.File("run");
        string path = folder.Write("pipeline.yaml", string.Join('\n', Yaml(output).Split('\n').Where(l => !l.StartsWith("teacher:"))));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LlmDistillCli.Run(["run", path], stdout, stderr);
        Assert.Equal(2, code);
        Assert.Contains("'teacher' is missing", stderr.ToString());
        Assert.Single(stderr.ToString().Trim().Split('\n'));
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void A_missing_input_file_is_named_by_its_key_before_anything_is_written()
    {
        using var folder = new TempDirectory();
        string output = folder.File("run");
        string path = folder.Write("pipeline.yaml", Yaml(output).Replace($"teacher: {demo.TeacherPath}", "teacher: no-such-teacher.gguf"));
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = LlmDistillCli.Run(["run", path], stdout, stderr);
        Assert.Equal(2, code);
        Assert.Contains("teacher names", stderr.ToString());
        Assert.Contains("no-such-teacher.gguf", stderr.ToString());
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void The_shipped_example_pipeline_parses()
    {
        var pipeline = PipelineFile.Load(Generation.RepositoryFiles.Path("datasets/pipeline-gsm8k.yaml"));
        Assert.EndsWith("qwen2.5-7b-instruct-q4_k_m.gguf", pipeline.Teacher);
        Assert.Equal(4, pipeline.Generate.Samples);
        Assert.Equal(LlmDistill.Export.ExportType.Q8_0, pipeline.ExportType);
        Assert.True(File.Exists(pipeline.Generate.Prompt.Template), pipeline.Generate.Prompt.Template);
        Assert.True(File.Exists(pipeline.Generate.DataPath), pipeline.Generate.DataPath);
    }

    [Fact]
    public void YAML_that_YamlDotNet_rejects_without_a_YamlException_is_refused_naming_the_file()
    {
        // Found by fuzzing (tests/fuzz/regressions/pipeline): a tag with a %-escape made YamlDotNet's loader throw
        // ArgumentException, which escaped PipelineFile.Load unexplained.
        using var folder = new TempDirectory();
        string path = folder.Write("pipeline.yaml", "!!0A.%0AdA");
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid YAML", e.Message);
    }

    [Theory]
    // Found by fuzzing (tests/fuzz/regressions/pipeline/alias-inside-its-node.bin): a sequence holding an alias to
    // itself, used as a key, sent YamlDotNet's loader into a stack overflow hashing it (the process died).
    [InlineData("ud: &un\n- *un\n:nu: *un': *un\n:\n", "line 2, column 3: alias *un is inside the node it names (a cycle)")]
    // Found by fuzzing (alias-before-its-anchor.bin): YamlDotNet resolves forward aliases, and an alias key that names
    // an anchor defined later overflowed the stack comparing itself.
    [InlineData("? *un\ne: &un x\n", "line 1, column 3: alias *un names no anchor before it")]
    public void Aliases_YamlDotNet_overflows_the_stack_on_are_refused_by_line_before_it_loads_them(string yaml, string why)
    {
        using var folder = new TempDirectory();
        string path = folder.Write("pipeline.yaml", yaml);
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.Equal($"{path}, {why}.", e.Message);
    }

    [Fact]
    public void Aliases_standing_for_a_million_nodes_are_refused_while_ordinary_ones_load()
    {
        using var folder = new TempDirectory();
        var lines = new List<string> { "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]" };
        for (char c = 'b'; c <= 'f'; c++) lines.Add($"{c}: &{c} [{string.Join(", ", Enumerable.Repeat($"*{(char)(c - 1)}", 10))}]");
        string path = folder.Write("pipeline.yaml", string.Join('\n', lines) + "\n");
        var e = Assert.Throws<InvalidDataException>(() => PipelineFile.Load(path));
        Assert.Contains("aliases expand the document past 100,000 nodes", e.Message);
        Assert.Contains("line 5", e.Message); // e: 111,111 nodes
        Assert.Null(YamlText.FindAliasProblem("x: &x {a: 1, b: [2, 3]}\ny: [*x, *x]\nz: *x\n"));
    }
}
