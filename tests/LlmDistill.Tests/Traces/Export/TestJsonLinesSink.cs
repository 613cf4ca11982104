using System.Text.Json;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>kd-topk lines: the fields, and what Axolotl's KD plugin (re-implemented in <see cref="AxolotlKdReader"/>) reads from them.</summary>
public sealed class TestJsonLinesSink : IDisposable
{
    readonly TempDirectory _directory = new();
    readonly string _traces;
    readonly List<TraceRecord> _expected;

    public TestJsonLinesSink()
    {
        _traces = Path.Combine(_directory.Path, "traces");
        _expected = ExportTestTraces.Exported(ExportTestTraces.Write(_traces));
    }

    public void Dispose() => _directory.Dispose();

    JsonElement[] Export(KdLogprobForm form, int? include = null)
    {
        var summary = TraceExport.Run(new TraceExportSettings
        {
            TracesPath = _traces, OutputPath = _directory.File("kd.jsonl"), Format = TraceExportFormat.KdTopk, KdLogprobs = form, IncludeLogprobs = include,
        });
        Assert.Equal(_expected.Count, summary.RowsWritten);
        return ExportTestTraces.Lines(summary.OutputPath).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
    }

    [Fact]
    public void Kd_topk_lines_hold_the_messages_the_whole_sequence_its_loss_mask_and_top_k_per_completion_token()
    {
        var lines = Export(KdLogprobForm.Lists);

        for (int i = 0; i < lines.Length; i++)
        {
            var (r, line) = (_expected[i], lines[i]);
            Assert.Equal(["messages", "input_ids", "labels", "target_token_ids", "logprobs"], line.EnumerateObject().Select(p => p.Name));
            Assert.Equal(r.CompletionText, line.GetProperty("messages")[1].GetProperty("content").GetString());
            Assert.Equal([.. r.PromptTokenIds, .. r.CompletionTokenIds], line.GetProperty("input_ids").EnumerateArray().Select(v => v.GetInt32()));
            Assert.Equal([.. Enumerable.Repeat(-100, r.PromptTokenIds.Length), .. r.CompletionTokenIds], line.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()));
            var ids = line.GetProperty("target_token_ids").EnumerateArray().ToArray();
            var logprobs = line.GetProperty("logprobs").EnumerateArray().ToArray();
            Assert.Equal(r.CompletionTokenCount, ids.Length);
            Assert.Equal(r.CompletionTokenCount, logprobs.Length);
            for (int t = 0; t < r.CompletionTokenCount; t++)
            {
                Assert.Equal(r.TopIds.AsSpan(t * r.TopK, r.TopK).ToArray(), ids[t].EnumerateArray().Select(v => v.GetInt32()));
                Assert.Equal(r.TopLogprobs.AsSpan(t * r.TopK, r.TopK).ToArray(), logprobs[t].EnumerateArray().Select(v => v.GetSingle()));
            }
        }
    }

    [Theory]
    [InlineData(KdLogprobForm.Lists)]
    [InlineData(KdLogprobForm.Openai)]
    public void Axolotl_kd_reading_recovers_our_ids_and_logprobs_at_the_completion_positions(KdLogprobForm form)
    {
        var lines = Export(form);

        for (int i = 0; i < lines.Length; i++)
        {
            var r = _expected[i];
            var targets = AxolotlKdReader.Read(lines[i], legacy: form == KdLogprobForm.Openai);

            int prompt = r.PromptTokenIds.Length, total = prompt + r.CompletionTokenCount;
            Assert.Equal(prompt, targets.PaddingRows);
            Assert.Equal(total, targets.TokenIds.Length);
            Assert.All(targets.TokenIds, row => Assert.Equal(r.TopK, row.Length));
            for (int p = 0; p < total; p++) Assert.All(targets.Mask[p], m => Assert.Equal(p < prompt ? 0 : 1, m));
            for (int t = 0; t < r.CompletionTokenCount; t++)
            {
                var ours = r.TopLogprobs.AsSpan(t * r.TopK, r.TopK).ToArray();
                double logSum = Math.Log(ours.Sum(v => Math.Exp(v)));
                Assert.Equal(r.TopIds.AsSpan(t * r.TopK, r.TopK).ToArray(), targets.TokenIds[prompt + t]);
                for (int j = 0; j < r.TopK; j++)
                    Assert.Equal(ours[j] - logSum, targets.Logprobs[prompt + t][j], 5);
            }
        }
    }

    [Fact]
    public void Include_logprobs_caps_the_alternatives_per_token()
    {
        var lines = Export(KdLogprobForm.Lists, include: 1);

        for (int i = 0; i < lines.Length; i++)
        {
            var r = _expected[i];
            var ids = lines[i].GetProperty("target_token_ids").EnumerateArray().ToArray();
            for (int t = 0; t < r.CompletionTokenCount; t++) Assert.Equal([r.TopIds[t * r.TopK]], ids[t].EnumerateArray().Select(v => v.GetInt32()));
        }
    }

    [Fact]
    public void Rows_without_teacher_alternatives_are_left_out_of_kd_topk()
    {
        string gold = Path.Combine(_directory.Path, "gold");
        using (var writer = new TraceWriter(gold, TraceTestData.Provenance()))
        {
            writer.Write(TraceTestData.Small(1) with { TopK = 0, TopIds = [], TopLogprobs = [] });
            writer.Write(TraceTestData.Small(3));
        }

        var summary = TraceExport.Run(new TraceExportSettings { TracesPath = gold, OutputPath = _directory.File("gold.jsonl"), Format = TraceExportFormat.KdTopk });

        Assert.Equal((2L, 1L, 1L), (summary.RowsRead, summary.RowsWritten, summary.RowsEmpty));
        Assert.Single(ExportTestTraces.Lines(summary.OutputPath));
    }
}
