using LlmDistill.Options;
using DuckDB.NET.Data;
using LlmDistill.Generation;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Generation;

[Collection(TinyTeacherCollection.Name)]
public class TestGenerateRun(TinyTeacherFixture teachers, ITestOutputHelper log)
{
    static readonly string Data = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl");
    static readonly string Prompt = RepositoryFiles.Path("prompts/cot-math.yaml");

    GenerateSettings Settings(string folder) => new()
    {
        TeacherPath = teachers.Qwen2Path, DataPath = Data, Prompt = new() { Template = Prompt }, OutputFolder = folder,
        Samples = 2, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 6, RowsPerPart = 4,
    };

    static string[] Keys(string folder) => [.. TraceReader.Read(folder).Select(r => r.Key).Order(StringComparer.Ordinal)];

    [Fact]
    public void Traces_land_in_parquet_that_duckdb_and_our_reader_both_read_the_same()
    {
        using var folder = new TempDirectory();
        var summary = GenerateRun.Run(Settings(folder.Path));

        Assert.Equal(6, summary.Questions);
        Assert.Equal(12, summary.Samples);
        Assert.Equal(12 * 12, summary.GeneratedTokens); // random weights never say EOS within 12 tokens
        Assert.NotNull(summary.TeacherAccuracy);
        Assert.True(summary.BytesPerToken > 0);
        Assert.InRange(summary.MaxLogprobError, 0, TopKEncoding.MaxLogprobError + 1e-9);

        var ours = TraceReader.Read(folder.Path).OrderBy(r => r.Key, StringComparer.Ordinal).ToArray();
        Assert.Equal(12, ours.Length);
        Assert.Equal(12, ours.Select(r => r.Key).Distinct().Count());
        Assert.All(ours, r => Assert.Equal(r.CompletionTokenIds.Length * 5, r.TopIds.Length));
        Assert.All(ours, r => Assert.StartsWith("<|im_start|>", r.PromptText)); // the teacher's chat template was applied
        Assert.All(ours, r => Assert.NotNull(r.GoldAnswer));

        using var duck = new DuckDBConnection("Data Source=:memory:");
        duck.Open();
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT key, completion_text, len(completion_token_ids), finish_reason, keep FROM read_parquet('{folder.Path}/*.parquet') ORDER BY key";
        using var reader = command.ExecuteReader();
        int row = 0;
        while (reader.Read())
        {
            Assert.Equal(ours[row].Key, reader.GetString(0));
            Assert.Equal(ours[row].CompletionText, reader.GetString(1));
            Assert.Equal(ours[row].CompletionTokenIds.Length, Convert.ToInt32(reader.GetValue(2)));
            Assert.Equal("length", reader.GetString(3));
            row++;
        }
        Assert.Equal(12, row);
    }

    [Fact]
    public void Without_a_template_the_general_built_in_is_used_from_any_folder_and_the_summary_names_it()
    {
        using var folder = new TempDirectory();
        var summary = GenerateRun.Run(Settings(folder.Path) with { Prompt = new(), Limit = 1, Samples = 1 });
        Assert.Equal($"cot-general ({LlmDistill.Generation.Prompts.PromptTemplate.BuiltInPath}cot-general)", summary.PromptTemplate);
        Assert.Contains("Let's think step by step.", TraceReader.Read(folder.Path).Single().PromptText);
    }

    [Fact]
    public void A_second_run_resumes_and_writes_nothing_twice()
    {
        using var folder = new TempDirectory();
        GenerateRun.Run(Settings(folder.Path) with { Limit = 3 });
        var second = GenerateRun.Run(Settings(folder.Path));
        Assert.Equal(3, second.ResumedQuestions);
        Assert.Equal(3, second.Questions);
        string[] keys = Keys(folder.Path);
        Assert.Equal(12, keys.Length);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    [Fact]
    public void A_crashed_part_file_is_ignored_and_the_rerun_gives_the_complete_key_set()
    {
        using var reference = new TempDirectory();
        GenerateRun.Run(Settings(reference.Path));
        using var folder = new TempDirectory();
        GenerateRun.Run(Settings(folder.Path) with { Limit = 2 });
        File.WriteAllBytes(Path.Combine(folder.Path, ".part-0099-all.parquet.tmp"), [1, 2, 3, 4]); // a writer killed mid-file
        GenerateRun.Run(Settings(folder.Path));
        Assert.Equal(Keys(reference.Path), Keys(folder.Path));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void Cancelling_keeps_every_finished_question_whole()
    {
        using var folder = new TempDirectory();
        using var cancel = new CancellationTokenSource();
        var summary = GenerateRun.Run(Settings(folder.Path) with { Limit = 20, Engine = new() { Parallel = 2, ContextPerSequence = 1024 } },
            new InlineProgress(p => { if (p.QuestionsDone == 2) cancel.Cancel(); }), cancel.Token);
        Assert.True(summary.Interrupted);
        var rows = TraceReader.Read(folder.Path).ToArray();
        Assert.NotEmpty(rows);
        Assert.All(rows.GroupBy(r => r.ExampleId), g => Assert.Equal(2, g.Count())); // no half question
        Assert.True(rows.Length < 40);
    }

    [Fact]
    public void Other_settings_are_refused_without_force_and_start_over_with_it()
    {
        using var folder = new TempDirectory();
        GenerateRun.Run(Settings(folder.Path) with { Limit = 2 });
        var error = Assert.Throws<OptionsException>(() => GenerateRun.Run(Settings(folder.Path) with { Limit = 2, Sampling = new() { MaxTokens = 12, Seed = 5, Temperature = 0.8f } }));
        Assert.Equal(nameof(GenerateSettings.OutputFolder), error.Errors.Single().Property);
        Assert.Contains("set GenerateSettings.Force", error.Message);
        var forced = GenerateRun.Run(Settings(folder.Path) with { Limit = 2, Sampling = new() { MaxTokens = 12, Seed = 5, Temperature = 0.8f }, Force = true });
        Assert.Equal(0, forced.ResumedQuestions);
        Assert.Equal(4, Keys(folder.Path).Length);
    }

    [Fact]
    public void Two_shards_writing_into_one_folder_cover_every_key_exactly_once()
    {
        using var reference = new TempDirectory();
        GenerateRun.Run(Settings(reference.Path) with { Limit = null, Samples = 1 });
        using var folder = new TempDirectory();
        GenerateRun.Run(Settings(folder.Path) with { Limit = null, Samples = 1, Shard = new ShardFilter(0, 2) });
        GenerateRun.Run(Settings(folder.Path) with { Limit = null, Samples = 1, Shard = new ShardFilter(1, 2) });
        Assert.Equal(Keys(reference.Path), Keys(folder.Path));
        Assert.Contains(Directory.GetFiles(folder.Path), f => f.Contains("0of2"));
        Assert.Contains(Directory.GetFiles(folder.Path), f => f.Contains("1of2"));
    }

    string[] GenerateArgs(string folder) =>
        ["generate", "--teacher", teachers.Qwen2Path, "--data", Data, "--prompt", Prompt, "--out", folder,
         "--samples", "2", "--top-k", "5", "--max-tokens", "12", "--parallel", "4", "--ctx", "1024", "--limit", "8", "--rows-per-part", "2",
         "--threads", "1"]; // one llama.cpp thread: no thread spinning at a barrier, so CPU time measures work (KillCampaign)

    [Fact]
    public void Killed_at_seeded_moments_generate_loses_at_most_its_open_part_and_each_rerun_completes_the_set()
    {
        using var reference = new TempDirectory();
        var span = KillCampaign.Reference(GenerateArgs(reference.Path), watch: reference.Path);
        string[] expected = Keys(reference.Path);
        Assert.Equal(16, expected.Length);

        new KillCampaign(log).Run("generate", seed: 18, KillCampaign.Points(quick: 1), span, GenerateArgs, GenerateArgs,
            afterKill: folder =>
            {
                var survivors = TraceReader.Read(folder).ToArray();
                Assert.All(survivors.GroupBy(r => r.ExampleId), g => Assert.Equal(2, g.Count())); // whole questions only
                Assert.Subset(expected.ToHashSet(), survivors.Select(r => r.Key).ToHashSet());
            },
            afterRerun: folder =>
            {
                string[] keys = Keys(folder);
                Assert.Equal(expected, keys); // sorted: equal means the same set and no duplicates
                Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
            });
    }

    [SmallDiskFact]
    public void A_full_disk_stops_generate_in_one_sentence_naming_the_file_and_a_rerun_with_room_completes_the_set()
    {
        using var reference = new TempDirectory();
        GenerateRun.Run(Settings(reference.Path));
        // tmpfs counts whole 4 KiB pages: room for the lock file and about half of the reference's part files.
        long pages = Directory.GetFiles(reference.Path).Sum(f => (new FileInfo(f).Length + 4095) / 4096);
        using var disk = new SmallDisk(((pages + 1) / 2 + 1) * 4096);
        string[] args = ["generate", "--teacher", teachers.Qwen2Path, "--data", Data, "--prompt", Prompt, "--out", disk.Path,
            "--samples", "2", "--top-k", "5", "--max-tokens", "12", "--parallel", "4", "--ctx", "1024", "--limit", "6", "--rows-per-part", "4"];
        var full = CliRun.Run(args);
        Assert.Equal(1, full.Code);
        Assert.Single(full.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", full.Error);
        Assert.Contains(disk.Path, full.Error);

        // What was finished before the disk filled stays readable and whole; the rerun on a larger disk adds the rest.
        var survivors = TraceReader.Read(disk.Path).ToArray();
        Assert.NotEmpty(survivors);
        Assert.All(survivors.GroupBy(r => r.ExampleId), g => Assert.Equal(2, g.Count()));
        Assert.Subset(Keys(reference.Path).ToHashSet(), survivors.Select(r => r.Key).ToHashSet());
        disk.Resize(64 << 20);
        var rerun = CliRun.Run(args);
        Assert.True(rerun.Code == 0, rerun.Error);
        string[] keys = Keys(disk.Path);
        Assert.Equal(Keys(reference.Path), keys);
        Assert.Equal(keys.Length, keys.Distinct().Count());
    }

    sealed class InlineProgress(Action<GenerateProgress> report) : IProgress<GenerateProgress>
    {
        public void Report(GenerateProgress value) => report(value);
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_generate_in_one_sentence_naming_it()
    {
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = CliRun.Run(GenerateArgs(Path.Combine(disk.Path, "traces")));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
