using LlmDistill.Cli;
using LlmDistill.Generation;
using LlmDistill.Options;
using LlmDistill.Scoring;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Scoring;

[Collection(TinyTeacherCollection.Name)]
public class TestScoreRun(TinyTeacherFixture teachers, ITestOutputHelper log)
{
    /// <summary>
    /// Two stored log-probabilities of the same value differ by at most one code step (each is rounded on its own). The
    /// teacher's logits also move with the batch shape (llama.cpp sums in another order; generate at 4 vs 1 parallel
    /// sequences moves them too), by up to ~0.03 nats on this random-weight F16 teacher, which can carry a few values
    /// further and swap near-tied ranks; the test bounds those outliers and requires the typical value to be unmoved.
    /// </summary>
    const double Steps3 = 3 * TopKEncoding.Step + 1e-6;

    string Generate(TempDirectory folder) => GenerateTraces(teachers, folder);

    /// <summary>Small traces from the tiny Qwen2 teacher: 3 questions × 2 samples × 12 tokens, top-5.</summary>
    internal static string GenerateTraces(TinyTeacherFixture teachers, TempDirectory folder)
    {
        string traces = folder.File("traces");
        GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teachers.Qwen2Path, DataPath = Generation.RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            Prompt = new() { Template = Generation.RepositoryFiles.Path("prompts/cot-math.yaml") }, OutputFolder = traces,
            Samples = 2, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 3,
        });
        return traces;
    }

    ScoreSettings Settings(string traces, string output) => new()
    {
        TeacherPath = teachers.Qwen2Path, TracesPath = traces, OutputFolder = output,
        Capture = new() { TopK = 5 }, Engine = new() { Parallel = 3, ContextPerSequence = 1024 },
    };

    static Dictionary<string, TraceRecord> ByKey(string folder) => TraceReader.Read(folder).ToDictionary(r => r.Key);

    [Fact]
    public void Scoring_traces_with_their_own_teacher_recovers_what_generate_recorded_up_to_rounding_and_batch_noise()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), scored = folder.File("scored");

        var summary = ScoreRun.Run(Settings(traces, scored));

        var generated = ByKey(traces);
        var rescored = ByKey(scored);
        Assert.Equal(6, summary.Rows);
        Assert.Equal(6 * 12, summary.ScoredTokens);
        Assert.Equal(generated.Keys.Order(), rescored.Keys.Order());
        var differences = new List<double>();
        int swappedRanks = 0;
        foreach (var (key, g) in generated)
        {
            var s = rescored[key];
            Assert.Equal(g.CompletionTokenIds, s.CompletionTokenIds);
            Assert.Equal((g.PromptText, g.CompletionText, g.Question, g.Answer, g.FinishReason, g.Keep), (s.PromptText, s.CompletionText, s.Question, s.Answer, s.FinishReason, s.Keep));
            Assert.Equal(5, s.TopK);
            for (int i = 0; i < g.TopLogprobs.Length; i++)
            {
                // rank by rank (robust to swapped near-ties), then id by id where both captured the same id
                Assert.InRange(s.TopLogprobs[i] - g.TopLogprobs[i], -Steps3, Steps3);
                if (s.TopIds[i] != g.TopIds[i]) { swappedRanks++; Assert.InRange(s.TopLogprobs[i] - g.TopLogprobs[i], -TopKEncoding.Step - 1e-6, TopKEncoding.Step + 1e-6); }
                differences.Add(Math.Abs(s.TopLogprobs[i] - g.TopLogprobs[i]));
            }
            for (int t = 0; t < g.SampledLogprobs.Length; t++)
            {
                Assert.InRange(s.SampledLogprobs[t] - g.SampledLogprobs[t], -Steps3, Steps3);
                Assert.InRange(Math.Log(s.TailMass[t]) - Math.Log(g.TailMass[t]), -Steps3, Steps3);
                differences.Add(Math.Abs(s.SampledLogprobs[t] - g.SampledLogprobs[t]));
            }
        }
        // Almost every value lands on the same code or the next: float noise moves few of them further.
        Assert.True(differences.Average() < TopKEncoding.Step / 2, $"mean difference {differences.Average() / TopKEncoding.Step:F2} steps");
        Assert.True(differences.Count(d => d <= TopKEncoding.Step + 1e-6) >= 0.95 * differences.Count, "more than 5 % of the values moved by more than one step");
        Assert.True(swappedRanks <= generated.Values.Sum(r => r.TopIds.Length) / 20, $"{swappedRanks} ranks hold other ids");
        Assert.Equal("tiny-qwen2.gguf", TraceReader.ReadProvenance(TracePartFiles.List(scored)[0]).TeacherFileName);
    }

    [Fact]
    public void The_nll_sidecar_holds_each_rows_mean_teacher_nll_and_a_second_run_resumes()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), scored = folder.File("scored");

        var first = ScoreRun.Run(Settings(traces, scored));
        var second = ScoreRun.Run(Settings(traces, scored));

        Assert.Equal((0, 6), (second.Rows, second.ResumedRows));
        var rows = ByKey(scored);
        Assert.Equal(6, rows.Count);
        var nll = RowNll.Read(first.NllPath);
        Assert.Equal(Path.Combine(scored, RowNll.FileName), second.NllPath);
        Assert.Equal(6, nll.Count);
        foreach (var row in nll)
        {
            var trace = rows[row.Key];
            Assert.Equal(trace.CompletionTokenCount, row.Tokens);
            Assert.Equal(-trace.SampledLogprobs.Average(lp => (double)lp), row.MeanNll!.Value, 9);
        }
        double stored = nll.Sum(r => r.MeanNll!.Value * r.Tokens) / nll.Sum(r => r.Tokens);
        Assert.InRange(first.MeanNll!.Value - stored, -TopKEncoding.MaxLogprobError, TopKEncoding.MaxLogprobError); // the summary's is before rounding
    }

    [Fact]
    public void Rows_without_completion_tokens_are_kept_empty_and_rows_the_teacher_cannot_read_are_skipped_and_named()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), mixed = folder.File("mixed"), scored = folder.File("scored");
        var rows = TraceReader.Read(traces).Take(3).ToArray();
        using (var writer = new TraceWriter(mixed, TraceReader.ReadProvenance(TracePartFiles.List(traces)[0])))
        {
            writer.Write(rows[0]);
            writer.Write(rows[1] with
            {
                CompletionText = "", CompletionTokenIds = [], FinishReason = LlmDistill.Teacher.FinishReason.Error, Error = "teacher failed",
                SampledLogprobs = [], TopIds = [], TopLogprobs = [], TailMass = [],
            });
            writer.Write(rows[2] with { CompletionTokenIds = [.. rows[2].CompletionTokenIds[..^1], 10_000_000] });
        }

        var summary = ScoreRun.Run(Settings(mixed, scored));

        Assert.Equal((2L, 1L, 1L), (summary.Rows, summary.EmptyRows, summary.SkippedRows));
        Assert.Equal($"{rows[2].Key}: token id 10000000 is outside the teacher's vocabulary of {teachers.Qwen2.VocabSize}", summary.FirstSkipReason);
        var written = ByKey(scored);
        Assert.Equal([rows[0].Key, rows[1].Key], written.Keys.Order(StringComparer.Ordinal));
        Assert.Equal((0, "teacher failed"), (written[rows[1].Key].CompletionTokenCount, written[rows[1].Key].Error));
        var nll = RowNll.Read(summary.NllPath).ToDictionary(r => r.Key);
        Assert.Equal((null, 0), (nll[rows[1].Key].MeanNll, nll[rows[1].Key].Tokens));
    }

    [Fact]
    public void Traces_made_with_another_tokenizer_are_refused_in_one_sentence()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), foreign = folder.File("foreign");
        var provenance = TraceReader.ReadProvenance(TracePartFiles.List(traces)[0]) with { TokenizerFingerprint = new string('0', 64) };
        using (var writer = new TraceWriter(foreign, provenance))
            foreach (var trace in TraceReader.Read(traces)) writer.Write(trace);

        var error = Assert.Throws<InvalidDataException>(() => ScoreRun.Run(Settings(foreign, folder.File("scored"))));

        Assert.Contains("were written with tokenizer 0000000000000000…, the scoring teacher's tokenizer is", error.Message);
        Assert.EndsWith("score them with a teacher of the same vocabulary", error.Message);
        Assert.False(Directory.Exists(folder.File("scored")));
    }

    [Fact]
    public void Score_on_the_command_line_exits_0_and_bad_settings_name_the_flag()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), scored = folder.File("scored");

        var output = new StringWriter();
        var error = new StringWriter();
        int code = LlmDistillCli.Run(["score", "--teacher", teachers.Qwen2Path, "--traces", traces, "--out", scored, "--top-k", "4", "--parallel", "2", "--ctx", "1024"], output, error);

        Assert.True(code == 0, error.ToString());
        Assert.Contains("mean teacher NLL", output.ToString());
        Assert.All(TraceReader.Read(scored), r => Assert.Equal(4, r.TopK));

        var bad = Assert.Throws<OptionsException>(() => OptionsException.ThrowIfInvalid(Settings(traces, scored) with { Capture = new() { TopK = 0 }, RowsPerPart = 0 }));
        Assert.Equal(["RowsPerPart", "Capture.TopK"], bad.Errors.Select(e => e.Property));
        Assert.DoesNotContain("--", bad.Message);
        var stderr = new StringWriter();
        Assert.Equal(2, LlmDistillCli.Run(["score", "-t", teachers.Qwen2Path, "--traces", traces, "-o", scored, "--top-k", "0", "--parallel", "0"], new StringWriter(), stderr));
        Assert.Contains("--top-k must be at least 1, not 0", stderr.ToString());
        Assert.Contains("--parallel must be at least 1, not 0", stderr.ToString());
    }

    [Fact]
    public void At_the_traces_own_top_k_ids_another_teacher_gives_its_log_probabilities_at_exactly_those_ids()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), atTraceIds = folder.File("at-trace-ids"), sameAtTraceIds = folder.File("same-at-trace-ids"), ownTopK = folder.File("own-top-k");

        // The Llama teacher reads the Qwen2 teacher's samples at the samples' top-5 ids; the Qwen2 teacher reads them
        // at those ids and at its own top-200, which holds them, as an independent reading of the same values.
        ScoreRun.Run(Settings(traces, atTraceIds) with { TeacherPath = teachers.LlamaPath, AtTraceTopK = true });
        ScoreRun.Run(Settings(traces, sameAtTraceIds) with { AtTraceTopK = true });
        ScoreRun.Run(Settings(traces, ownTopK) with { Capture = new() { TopK = 200 } });

        var generated = ByKey(traces);
        var own = ByKey(ownTopK);
        var llama = ByKey(atTraceIds);
        int compared = 0;
        foreach (var s in TraceReader.Read(sameAtTraceIds))
        {
            var g = generated[s.Key];
            for (int t = 0; t < s.CompletionTokenCount; t++)
            {
                int[] ids = s.TopIds[(t * 5)..(t * 5 + 5)];
                Assert.Equal(g.TopIds[(t * 5)..(t * 5 + 5)].Order(), ids.Order());
                var other = llama[s.Key];
                Assert.Equal(ids.Order(), other.TopIds[(t * 5)..(t * 5 + 5)].Order());
                for (int j = 1; j < 5; j++) Assert.True(other.TopLogprobs[t * 5 + j] <= other.TopLogprobs[t * 5 + j - 1], "stored descending");
                double otherMass = Enumerable.Range(0, 5).Sum(j => Math.Exp(other.TopLogprobs[t * 5 + j]));
                Assert.InRange(other.TailMass[t] / (1 - otherMass), 0.98, 1.02);
                for (int j = 1; j < 5; j++) Assert.True(s.TopLogprobs[t * 5 + j] <= s.TopLogprobs[t * 5 + j - 1], "stored descending");
                double mass = Enumerable.Range(0, 5).Sum(j => Math.Exp(s.TopLogprobs[t * 5 + j]));
                Assert.InRange(s.TailMass[t] / (1 - mass), 0.98, 1.02);
                // Where the teacher's own top-200 holds the same id, the two readings agree (float noise aside).
                for (int j = 0; j < 5; j++)
                {
                    int at = Array.IndexOf(own[s.Key].TopIds, ids[j], t * 200, 200);
                    if (at < 0) continue;
                    Assert.InRange(s.TopLogprobs[t * 5 + j] - own[s.Key].TopLogprobs[at], -Steps3, Steps3);
                    compared++;
                }
            }
        }
        Assert.True(compared > 0.9 * generated.Values.Sum(r => r.TopIds.Length), $"only {compared} ids were in both readings");
    }

    [Fact]
    public void Killed_at_seeded_moments_score_keeps_whole_parts_and_each_rerun_scores_every_key_once()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder);
        string[] Args(string output) =>
            ["score", "--teacher", teachers.Qwen2Path, "--traces", traces, "--out", output, "--top-k", "5", "--parallel", "2", "--ctx", "1024", "--rows-per-part", "1",
             "--threads", "1"]; // one llama.cpp thread: no thread spinning at a barrier, so CPU time measures work (KillCampaign)
        string reference = folder.File("reference");
        var span = KillCampaign.Reference(Args(reference), watch: reference);
        string[] expected = [.. ByKey(reference).Keys.Order(StringComparer.Ordinal)];
        Assert.Equal(6, expected.Length);

        new KillCampaign(log).Run("score", seed: 18, KillCampaign.Points(quick: 1), span, Args, Args,
            afterKill: output =>
            {
                if (!Directory.Exists(output)) return;
                Assert.Subset(expected.ToHashSet(), TraceReader.Read(output).Select(r => r.Key).ToHashSet()); // every visible part reads whole
                if (File.Exists(Path.Combine(output, RowNll.FileName))) Assert.NotEmpty(RowNll.Read(Path.Combine(output, RowNll.FileName)));
            },
            afterRerun: output =>
            {
                Assert.Equal(expected, TraceReader.Read(output).Select(r => r.Key).Order(StringComparer.Ordinal)); // no key lost, none twice
                Assert.Equal(expected, RowNll.Read(Path.Combine(output, RowNll.FileName)).Select(r => r.Key).Order(StringComparer.Ordinal));
                Assert.Empty(Directory.GetFiles(output, "*.tmp*", SearchOption.AllDirectories));
            });
    }

    [SmallDiskFact]
    public void A_full_disk_stops_score_in_one_sentence_naming_the_file_and_a_rerun_with_room_completes_the_set()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder), reference = folder.File("reference");
        ScoreRun.Run(Settings(traces, reference) with { RowsPerPart = 1 });
        string[] expected = [.. ByKey(reference).Keys.Order(StringComparer.Ordinal)];
        // tmpfs counts whole 4 KiB pages: room for the lock file and about half of the reference's files.
        long pages = Directory.GetFiles(reference).Sum(f => (new FileInfo(f).Length + 4095) / 4096);
        using var disk = new SmallDisk(((pages + 1) / 2 + 1) * 4096);
        string[] args = ["score", "--teacher", teachers.Qwen2Path, "--traces", traces, "--out", disk.Path, "--top-k", "5", "--parallel", "3", "--ctx", "1024", "--rows-per-part", "1"];

        var full = CliRun.Run(args);
        Assert.Equal(1, full.Code);
        Assert.Single(full.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", full.Error);
        Assert.Contains(disk.Path, full.Error);
        var survivors = TraceReader.Read(disk.Path).Select(r => r.Key).ToHashSet(); // what was finished stays readable
        Assert.NotEmpty(survivors);
        Assert.Subset(expected.ToHashSet(), survivors);

        disk.Resize(64 << 20);
        var rerun = CliRun.Run(args);
        Assert.True(rerun.Code == 0, rerun.Error);
        Assert.Equal(expected, TraceReader.Read(disk.Path).Select(r => r.Key).Order(StringComparer.Ordinal));
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_score_in_one_sentence_naming_it()
    {
        using var folder = new TempDirectory();
        string traces = Generate(folder);
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = CliRun.Run("score", "--teacher", teachers.Qwen2Path, "--traces", traces, "--out", Path.Combine(disk.Path, "scored"), "--top-k", "5", "--ctx", "1024");
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
