using System.Text.Json;
using LlmDistill.Pipeline;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>
/// The conversation formats read back with System.Text.Json, one schema check per line: exactly the fields the
/// tools read, of the right JSON types, in order, with the trace's text.
/// </summary>
public sealed class TestTraceExport : IDisposable
{
    readonly TempDirectory _directory = new();
    readonly string _traces;

    public TestTraceExport() => _traces = Path.Combine(_directory.Path, "traces");

    public void Dispose() => _directory.Dispose();

    TraceExportSummary Export(TraceExportFormat format, string? prompt = null, bool keepOnly = true, int? include = null, string name = "out.jsonl") =>
        TraceExport.Run(new TraceExportSettings
        {
            TracesPath = _traces, OutputPath = _directory.File(name), Format = format, PromptPath = prompt, KeepOnly = keepOnly, IncludeLogprobs = include,
        });

    static JsonElement[] ParseLines(string path) =>
        ExportTestTraces.Lines(path).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToArray();

    static void AssertFields(JsonElement line, params string[] names) =>
        Assert.Equal(names, line.EnumerateObject().Select(p => p.Name).ToArray());

    static void AssertTurn(JsonElement turn, string whoField, string who, string textField, string text)
    {
        AssertFields(turn, whoField, textField);
        Assert.Equal(who, turn.GetProperty(whoField).GetString());
        Assert.Equal(text, turn.GetProperty(textField).GetString());
    }

    [Fact]
    public void Chat_jsonl_lines_have_system_user_assistant_messages()
    {
        var (template, prompt, provenance) = ExportTestTraces.Template(_directory);
        var expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces, provenance));

        var summary = Export(TraceExportFormat.ChatJsonl, prompt);

        var lines = ParseLines(summary.OutputPath);
        Assert.Equal(expected.Count, lines.Length);
        Assert.Equal(expected.Count, summary.RowsWritten);
        for (int i = 0; i < lines.Length; i++)
        {
            AssertFields(lines[i], "messages");
            var messages = lines[i].GetProperty("messages").EnumerateArray().ToArray();
            var rendered = template.Render(expected[i].Question);
            Assert.Equal(3, messages.Length);
            AssertTurn(messages[0], "role", "system", "content", rendered.System);
            AssertTurn(messages[1], "role", "user", "content", rendered.User);
            AssertTurn(messages[2], "role", "assistant", "content", expected[i].CompletionText);
        }
    }

    [Fact]
    public void Without_a_template_the_user_message_is_the_question_and_there_is_no_system_message()
    {
        var expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces));

        var lines = ParseLines(Export(TraceExportFormat.ChatJsonl).OutputPath);

        Assert.Equal(expected.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var messages = lines[i].GetProperty("messages").EnumerateArray().ToArray();
            Assert.Equal(2, messages.Length);
            AssertTurn(messages[0], "role", "user", "content", expected[i].Question);
            AssertTurn(messages[1], "role", "assistant", "content", expected[i].CompletionText);
        }
    }

    [Fact]
    public void ShareGpt_lines_have_system_human_gpt_conversations()
    {
        var (template, prompt, provenance) = ExportTestTraces.Template(_directory);
        var expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces, provenance));

        var lines = ParseLines(Export(TraceExportFormat.Sharegpt, prompt).OutputPath);

        Assert.Equal(expected.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            AssertFields(lines[i], "conversations");
            var turns = lines[i].GetProperty("conversations").EnumerateArray().ToArray();
            var rendered = template.Render(expected[i].Question);
            Assert.Equal(3, turns.Length);
            AssertTurn(turns[0], "from", "system", "value", rendered.System);
            AssertTurn(turns[1], "from", "human", "value", rendered.User);
            AssertTurn(turns[2], "from", "gpt", "value", expected[i].CompletionText);
        }
    }

    [Fact]
    public void Alpaca_lines_have_instruction_input_output_and_the_system_text()
    {
        var (template, prompt, provenance) = ExportTestTraces.Template(_directory);
        var expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces, provenance));

        var lines = ParseLines(Export(TraceExportFormat.Alpaca, prompt).OutputPath);

        Assert.Equal(expected.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            AssertFields(lines[i], "instruction", "input", "output", "system");
            Assert.Equal(template.Render(expected[i].Question).User, lines[i].GetProperty("instruction").GetString());
            Assert.Equal("", lines[i].GetProperty("input").GetString());
            Assert.Equal(expected[i].CompletionText, lines[i].GetProperty("output").GetString());
            Assert.Equal(template.Render(expected[i].Question).System, lines[i].GetProperty("system").GetString());
        }
    }

    [Fact]
    public void The_keep_column_chooses_the_rows_unless_keep_only_is_off()
    {
        var rows = ExportTestTraces.Write(_traces);

        var kept = Export(TraceExportFormat.ChatJsonl, name: "kept.jsonl");
        var all = Export(TraceExportFormat.ChatJsonl, keepOnly: false, name: "all.jsonl");

        Assert.Equal((10L, 7L, 2L, 1L), (kept.RowsRead, kept.RowsWritten, kept.RowsNotKept, kept.RowsEmpty));
        Assert.Equal((10L, 9L, 0L, 1L), (all.RowsRead, all.RowsWritten, all.RowsNotKept, all.RowsEmpty));
        var users = ParseLines(all.OutputPath).Select(l => l.GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal(rows.Where(r => r.CompletionTokenCount > 0).Select(r => r.Question), users);
        Assert.Equal(ExportTestTraces.Exported(rows).Sum(r => (long)r.CompletionTokenCount), kept.CompletionTokens);
    }

    [Fact]
    public void The_provenance_sidecar_names_the_teacher_tokenizer_and_settings()
    {
        var (_, prompt, provenance) = ExportTestTraces.Template(_directory);
        ExportTestTraces.Write(_traces, provenance);

        var summary = Export(TraceExportFormat.Sharegpt, prompt, name: "sft.jsonl");

        Assert.Equal(_directory.File("sft.provenance.json"), summary.ProvenancePath);
        var sidecar = TraceExportProvenance.FromJson(File.ReadAllText(summary.ProvenancePath!));
        Assert.Equal(provenance, Assert.Single(sidecar.Teachers));
        Assert.Equal(("sharegpt", true, 7L, provenance.PromptTemplateSha256), (sidecar.Format, sidecar.KeepOnly, sidecar.Rows, sidecar.PromptTemplateSha256));
        string json = File.ReadAllText(summary.ProvenancePath!);
        foreach (string field in new[] { "\"tokenizer_fingerprint\"", "\"teacher_sha256\"", "\"temperature\"", "\"capture_top_k\"", "\"seed\"" })
            Assert.Contains(field, json);
    }

    [Fact]
    public void Include_logprobs_adds_openai_style_alternatives_to_conversation_lines()
    {
        var expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces));

        var lines = ParseLines(Export(TraceExportFormat.ChatJsonl, include: 3).OutputPath);

        for (int i = 0; i < lines.Length; i++)
        {
            AssertFields(lines[i], "messages", "logprobs");
            var r = expected[i];
            var tokens = lines[i].GetProperty("logprobs").EnumerateArray().ToArray();
            Assert.Equal(r.CompletionTokenCount, tokens.Length);
            int k = Math.Min(3, r.TopK);
            for (int t = 0; t < tokens.Length; t++)
            {
                var alternatives = tokens[t].EnumerateArray().ToArray();
                Assert.Equal(k, alternatives.Length);
                for (int j = 0; j < k; j++)
                {
                    AssertFields(alternatives[j], "token", "logprob");
                    Assert.Equal($"token_id:{r.TopIds[t * r.TopK + j]}", alternatives[j].GetProperty("token").GetString());
                    Assert.Equal(r.TopLogprobs[t * r.TopK + j], alternatives[j].GetProperty("logprob").GetSingle());
                }
            }
        }
    }

    [Fact]
    public void A_cancelled_export_leaves_the_previous_file_and_no_temporary()
    {
        using (var writer = new TraceWriter(_traces, TraceTestData.Provenance()))
            for (int i = 0; i < 5000; i++) writer.Write(TraceTestData.Small(1) with { ExampleId = $"q{i}" });
        string output = _directory.Write("out.jsonl", "previous\n");
        using var cancel = new CancellationTokenSource();
        long reports = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => TraceExport.Run(
            new TraceExportSettings { TracesPath = _traces, OutputPath = output, Format = TraceExportFormat.KdTopk },
            new InlineProgress<TraceExportProgress>(p => { if (++reports == 2) cancel.Cancel(); }), cancel.Token));

        Assert.Equal(2, reports);
        Assert.Equal("previous\n", File.ReadAllText(output));
        Assert.Equal(["out.jsonl", "traces"], Directory.EnumerateFileSystemEntries(_directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_template_other_than_the_traces_one_is_refused_naming_the_property()
    {
        ExportTestTraces.Write(_traces);
        var (_, prompt, _) = ExportTestTraces.Template(_directory);

        var e = Assert.ThrowsAny<ArgumentException>(() => Export(TraceExportFormat.ChatJsonl, prompt));

        Assert.Contains("PromptPath", e.Message);
        Assert.Contains("cot-v1", e.Message);
        Assert.False(File.Exists(_directory.File("out.jsonl")));
    }
}
