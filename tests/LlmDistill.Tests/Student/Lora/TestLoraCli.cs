using static LlmDistill.Tests.Fixtures.CliRun;
using System.Text.Json;
using LlmDistill.Generation;
using LlmDistill.Gguf;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Teacher;
using LlmDistill.Tests.Evaluation;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using LlmDistill.Training;

namespace LlmDistill.Tests.Student.Lora;

/// <summary>LoRA as a user runs it: train adapters on a pretrained GGUF, export adapter and merged model, run and evaluate them.</summary>
[Collection(TinyTeacherCollection.Name)]
public class TestLoraCli(TinyTeacherFixture teachers)
{
    string Traces(TempDirectory folder)
    {
        string traces = folder.File("traces");
        GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teachers.LlamaPath, DataPath = RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            Prompt = new() { Template = RepositoryFiles.Path("prompts/cot-math.yaml") }, OutputFolder = traces,
            Samples = 2, Capture = new() { TopK = 5 }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 6,
        });
        return traces;
    }

    [Fact]
    public void Train_adapters_on_a_pretrained_gguf_then_export_complete_and_evaluate_them()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder), run = folder.File("run"), basePath = teachers.Qwen2Path;
        var (code, output, error) = Run("train", "--traces", traces, "--init", basePath, "--lora-rank", "4", "--lora-targets", "attn_q,attn_v", "--lora-targets", "ffn_down",
            "--out", run, "--steps", "3", "--batch-size", "4", "--all-traces", "--warmup", "1", "--lr", "1e-2", "--log-every", "1");
        Assert.True(code == 0, error + output);
        string flat = string.Join(" ", output.Split((char[])[' ', '\n', '│'], StringSplitOptions.RemoveEmptyEntries)); // the summary table wraps
        Assert.True(flat.Contains("rank-4 adapters (alpha 8) on attn_q, attn_v, ffn_down") && flat.Contains("trained)"), output);

        string adapter = folder.File("adapter.gguf"), merged = folder.File("merged.gguf");
        (code, output, error) = Run("export", "--checkpoint", run, "--out", adapter, "--adapter");
        Assert.True(code == 0, error + output);
        (code, output, error) = Run("export", "--checkpoint", run, "--out", merged, "--type", "q8_0");
        Assert.True(code == 0, error + output);
        Assert.True(new FileInfo(adapter).Length < new FileInfo(basePath).Length / 5);
        using (var file = GgufFile.Open(merged))
            Assert.Equal(4u, file.Metadata.GetUInt32(LoraAdapterGguf.RankKey));

        (code, output, error) = Run("complete", "--model", basePath, "--adapter", adapter, "--prompt", "2+2=", "--max-tokens", "4", "--json");
        Assert.True(code == 0, error + output);
        Assert.Equal(4, JsonDocument.Parse(output).RootElement.GetProperty("tokens").GetArrayLength());

        // The run folder evaluates as base + adapter; the report names both.
        string report = folder.File("report");
        (code, output, error) = Run("eval", "--teacher", teachers.LlamaPath, "--student", run, "--data", TinyEvalFixture.Data, "--prompt", TinyEvalFixture.Prompt,
            "--out", report, "--limit", "2", "--max-tokens", "6", "--parallel", "2", "--ctx", "1024");
        Assert.True(code == 0, error + output);
        var students = JsonDocument.Parse(File.ReadAllText(Path.Combine(report, "metrics.json"))).RootElement.GetProperty("models").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "student").ToArray();
        Assert.Single(students);
        Assert.EndsWith(StudentCheckpoint.AdapterFile, students[0].GetProperty("adapter").GetString());

        (code, output, error) = Run("eval", "--teacher", teachers.LlamaPath, "--student", basePath, "--adapter", adapter, "--data", TinyEvalFixture.Data, "--prompt", TinyEvalFixture.Prompt,
            "--out", folder.File("report2"), "--limit", "2", "--max-tokens", "6", "--parallel", "2", "--ctx", "1024");
        Assert.True(code == 0, error + output);
    }

    [Fact]
    public void Lora_without_a_base_and_an_adapter_of_a_full_run_are_refused_in_one_sentence()
    {
        using var folder = new TempDirectory();
        string traces = Traces(folder);
        var (code, _, error) = Run("train", "--traces", traces, "--teacher", teachers.LlamaPath, "--student", "tiny", "--lora-rank", "4", "--out", folder.File("run"));
        Assert.Equal(2, code);
        Assert.Contains("--init", error);
        Assert.Single(error.Trim().Split('\n'));

        string run = folder.File("full");
        (code, _, error) = Run("train", "--traces", traces, "--teacher", teachers.LlamaPath, "--student", "tiny", "--out", run, "--steps", "1", "--batch-size", "2", "--all-traces");
        Assert.True(code == 0, error);
        (code, _, error) = Run("export", "--checkpoint", run, "--out", folder.File("a.gguf"), "--adapter");
        Assert.Equal(2, code);
        Assert.Contains("trained every weight", error);
        Assert.False(File.Exists(folder.File("a.gguf")));
    }
}
