using static LlmDistill.Tests.Fixtures.CliRun;
using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json;
using LlmDistill.Cli;
using LlmDistill.Evaluation;
using LlmDistill.Models;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Evaluation;

/// <summary>The eval and report commands as a user runs them: bad input ends in one sentence, exit code 2 and no folder.</summary>
[Collection(TinyTeacherCollection.Name)]
public class TestEvalCommand(TinyTeacherFixture teachers, ITestOutputHelper log)
{
    string[] Eval(string output, params string[] more) =>
        ["eval", "--teacher", teachers.LlamaPath, "--student", teachers.Qwen2Path, "--data", TinyEvalFixture.Data, "--prompt", TinyEvalFixture.Prompt,
         "--out", output, "--limit", "3", "--max-tokens", "6", "--parallel", "3", "--ctx", "1024", .. more];

    static void AssertOneSentenceAndNothingWritten(string folder, (int Code, string Output, string Error) result, string expected)
    {
        Assert.Equal(2, result.Code);
        Assert.Contains(expected, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(Directory.GetFileSystemEntries(folder)); // no report, no staging folder
    }

    /// <summary>A report without what a rerun cannot repeat (its creation time and the measured speeds), as JSON.</summary>
    static string Repeatable(string folder)
    {
        var report = EvalReport.Load(Path.Combine(folder, EvalReport.FileName));
        return JsonSerializer.Serialize(report with
        {
            CreatedUtc = default,
            Models = [.. report.Models.Select(m => m with { PrefillTokensPerS = null, DecodeTokensPerS = null, SecondsPerQuestion = null, GeneratedTokensPerS = null })],
        }, EvalReport.Json);
    }

    [Fact]
    public void Killed_at_seeded_moments_eval_leaves_a_whole_report_or_none_and_each_rerun_writes_the_same_one()
    {
        using var folder = new TempDirectory();
        // One llama.cpp thread: no thread spinning at a barrier, so CPU time measures work (KillCampaign).
        string[] Args(string output) => Eval(Path.Combine(output, "report"), "--force", "--threads", "1");
        string[] files = [EvalReport.FileName, PredictionsWriter.FileName, ReportFolder.MarkdownFile, ReportFolder.HtmlFile];
        var span = KillCampaign.Reference(Args(folder.Path), watch: folder.Path);
        string reference = Path.Combine(folder.Path, "report");
        byte[] predictions = File.ReadAllBytes(Path.Combine(reference, PredictionsWriter.FileName));
        string metrics = Repeatable(reference);

        new KillCampaign(log).Run("eval", seed: 18, KillCampaign.Points(quick: 1), span, Args, Args,
            afterKill: output =>
            {
                string report = Path.Combine(output, "report");
                if (Directory.Exists(report)) Assert.Equal(files.Order(), Directory.GetFiles(report).Select(Path.GetFileName).Order());
            },
            afterRerun: output =>
            {
                string report = Path.Combine(output, "report");
                Assert.Equal(files.Order(), Directory.GetFiles(report).Select(Path.GetFileName).Order());
                Assert.True(predictions.AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(report, PredictionsWriter.FileName))), "the rerun's predictions differ");
                Assert.Equal(metrics, Repeatable(report));
                Assert.Equal(["report"], Directory.GetFileSystemEntries(output).Select(Path.GetFileName)); // no staging folder, no lock left behind
            });
    }

    [Fact]
    public void A_student_with_another_tokenizer_is_refused_before_anything_runs()
    {
        using var folder = new TempDirectory();
        var other = SmallByteLevelVocabulary.Create();
        string stranger = folder.File("stranger.gguf");
        ModelGgufWriter.Write(stranger, LlamaModelConfig.TinyLlama(other.Count), other, RandomLlamaWeights.Create(seed: 5), Gguf.GgmlType.F32, "stranger");
        using var reports = new TempDirectory();
        var result = Run([.. Eval(Path.Combine(reports.Path, "r1")), "--student", stranger]);
        AssertOneSentenceAndNothingWritten(reports.Path, result, "different tokenizer");
    }

    [Fact]
    public void A_missing_student_is_named_in_one_sentence()
    {
        using var reports = new TempDirectory();
        var result = Run([.. Eval(Path.Combine(reports.Path, "r1")), "--student", "runs/nowhere"]);
        AssertOneSentenceAndNothingWritten(reports.Path, result, "runs/nowhere");
    }

    [Fact]
    public void An_empty_data_set_says_there_is_nothing_to_evaluate()
    {
        using var reports = new TempDirectory();
        using var data = new TempDirectory();
        string empty = data.Write("empty.jsonl", "");
        string[] args = Eval(Path.Combine(reports.Path, "r1"));
        args[Array.IndexOf(args, TinyEvalFixture.Data)] = empty;
        var result = Run(args);
        AssertOneSentenceAndNothingWritten(reports.Path, result, "holds no questions");
    }

    [Fact]
    public void Eval_prints_the_table_and_report_rerenders_and_merges_without_models()
    {
        using var reports = new TempDirectory();
        string r1 = Path.Combine(reports.Path, "r1"), r2 = Path.Combine(reports.Path, "r2");
        var first = Run(Eval(r1));
        Assert.True(first.Code == 0, first.Error);
        Assert.True(first.Output.Contains("accuracy [95% CI]"), first.Output);
        Assert.Contains("tiny-qwen2", first.Output);
        Assert.Contains("report.html", first.Output);
        Assert.Equal(0, Run([.. Eval(r2), "--student", teachers.LlamaPath]).Code); // the teacher as a student: retention 1 if it scores
        var existing = Run(Eval(r1));
        Assert.Equal(2, existing.Code);
        Assert.Contains("--force", existing.Error);

        File.Delete(Path.Combine(r1, ReportFolder.HtmlFile));
        var rerender = Run("report", Path.Combine(r1, EvalReport.FileName));
        Assert.True(rerender.Code == 0, rerender.Error);
        Assert.True(File.Exists(Path.Combine(r1, ReportFolder.HtmlFile)));

        string merged = Path.Combine(reports.Path, "merged");
        var merge = Run("report", Path.Combine(r1, EvalReport.FileName), Path.Combine(r2, EvalReport.FileName), "--out", merged);
        Assert.True(merge.Code == 0, merge.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(merged, EvalReport.FileName)));
        var names = json.RootElement.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToArray();
        // r2's teacher is r1's teacher (kept once); its students clash with r1's names and take the folder's name.
        Assert.Equal(["tiny-llama", "tiny-qwen2", "tiny-qwen2 (r2)", "tiny-llama-2"], names);
        Assert.Equal(6, json.RootElement.GetProperty("comparisons").GetArrayLength());
        Assert.Equal(["merged", "r1", "r2"], Directory.GetDirectories(reports.Path).Select(Path.GetFileName).Order());
    }

    [SmallDiskFact]
    public void A_full_disk_stops_eval_in_one_sentence_naming_the_report_and_keeps_the_earlier_report_whole()
    {
        using var disk = new SmallDisk(8 << 20);
        var first = Run(Eval(Path.Combine(disk.Path, "r1")));
        Assert.True(first.Code == 0, first.Error);
        var earlier = KillCampaign.Files(Path.Combine(disk.Path, "r1"));
        disk.Fill(free: 3 * 4096); // the lock, the staging folder and a page: not a whole report

        var (code, _, error) = Run(Eval(Path.Combine(disk.Path, "r2")));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("No space left on device", error);
        Assert.Contains(Path.Combine(disk.Path, "r2"), error);
        Assert.Equal(["filler", "r1"], Directory.GetFileSystemEntries(disk.Path).Select(Path.GetFileName).Order()); // no half report, no staging
        var kept = KillCampaign.Files(Path.Combine(disk.Path, "r1"));
        Assert.Equal(earlier.Keys, kept.Keys);
        Assert.All(earlier, f => Assert.Equal(f.Value, kept[f.Key]));

        File.Delete(Path.Combine(disk.Path, "filler"));
        var rerun = Run(Eval(Path.Combine(disk.Path, "r2")));
        Assert.True(rerun.Code == 0, rerun.Error);
        Assert.Equal(earlier.Keys, KillCampaign.Files(Path.Combine(disk.Path, "r2")).Keys);
    }

    [SmallDiskFact]
    public void A_read_only_output_stops_eval_in_one_sentence_naming_it()
    {
        using var disk = new SmallDisk(1 << 20);
        disk.MakeReadOnly();
        var (code, _, error) = Run(Eval(Path.Combine(disk.Path, "r1")));
        Assert.Equal(1, code);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(disk.Path, error);
    }
}
