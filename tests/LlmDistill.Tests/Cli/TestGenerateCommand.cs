using static LlmDistill.Tests.Fixtures.CliRun;
using System.Text.Json;
using LlmDistill.Cli;
using LlmDistill.Generation.Prompts;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Cli;

[Collection(TinyTeacherCollection.Name)]
public class TestGenerateCommand(TinyTeacherFixture teachers)
{
    [Fact]
    public void Generate_with_export_writes_the_format_beside_the_traces_and_its_provenance()
    {
        using var folder = new TempDirectory();
        string traces = folder.File("traces"), prompt = Generation.RepositoryFiles.Path("prompts/cot-math.yaml");

        var (code, output, error) = Run("generate", "--teacher", teachers.Qwen2Path, "--data", Generation.RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            "--prompt", prompt, "--out", traces, "--top-k", "4", "--max-tokens", "6", "--parallel", "2", "--ctx", "1024", "--limit", "2", "--export", "kd-topk");

        Assert.True(code == 0, error);
        Assert.Contains("traces export", output);
        string exported = TraceExportSettings.BesideTraces(traces, TraceExportFormat.KdTopk);
        var kept = TraceReader.Read(traces).Count(r => r.Keep && r.CompletionTokenCount > 0);
        Assert.Equal(kept, File.ReadAllLines(exported).Length);
        var sidecar = TraceExportProvenance.FromJson(File.ReadAllText(TraceExportProvenance.SidecarPath(exported)));
        Assert.Equal(kept, sidecar.Rows);
        Assert.Equal(PromptTemplate.Load(prompt).Hash, sidecar.PromptTemplateSha256);
        Assert.Equal("tiny-qwen2.gguf", Assert.Single(sidecar.Teachers).TeacherFileName);
        Assert.Equal(2, TraceReader.ReadKeys(traces).Count);
    }

    [Fact]
    public void Exported_teacher_traces_carry_the_template_messages_and_the_teacher_ids()
    {
        using var folder = new TempDirectory();
        string traces = folder.File("traces"), prompt = Generation.RepositoryFiles.Path("prompts/cot-math.yaml"), exported = folder.File("kd.jsonl");
        Assert.Equal(0, Run("generate", "--teacher", teachers.Qwen2Path, "--data", Generation.RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl"),
            "--prompt", prompt, "--out", traces, "--top-k", "4", "--max-tokens", "6", "--parallel", "2", "--ctx", "1024", "--limit", "2").Code);

        // Six tokens rarely reach an end of generation, so few rows (if any) are kept: export them all.
        var (code, _, error) = Run("traces", "export", "--traces", traces, "--out", exported, "--format", "kd-topk", "--prompt", prompt, "--keep-only", "false");

        Assert.True(code == 0, error);
        var rows = TraceReader.Read(traces).ToList();
        var lines = File.ReadAllLines(exported).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(rows.Count, lines.Count);
        var template = PromptTemplate.Load(prompt);
        for (int i = 0; i < rows.Count; i++)
        {
            var messages = lines[i].GetProperty("messages");
            Assert.Equal(template.Render(rows[i].Question).System, messages[0].GetProperty("content").GetString());
            Assert.Equal(template.Render(rows[i].Question).User, messages[1].GetProperty("content").GetString());
            Assert.Equal(rows[i].CompletionText, messages[2].GetProperty("content").GetString());
            Assert.Equal([.. rows[i].PromptTokenIds, .. rows[i].CompletionTokenIds], lines[i].GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal(rows[i].TopIds.Take(4), lines[i].GetProperty("target_token_ids")[0].EnumerateArray().Select(v => v.GetInt32()));
        }
    }
}
