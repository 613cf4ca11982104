using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Traces;

public class TestTraceFileStats(ITestOutputHelper output)
{
    [Fact]
    public void Realistic_rows_at_k_20_cost_at_most_64_bytes_per_completion_token_with_error_below_a_hundredth_of_a_nat()
    {
        using var folder = new TempDirectory();
        var synthetic = new SyntheticTraces(seed: 2024, topK: 20);
        var rows = Enumerable.Range(0, 512).Select(i => synthetic.Row("gsm8k", "train", i / 4, i % 4)).ToList();
        TraceFileStats stats;
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance()))
        {
            foreach (var row in rows) writer.Write(row);
            writer.Flush();
            stats = writer.Stats();
        }

        double measured = 0;
        foreach (var (written, read) in rows.Zip(TraceReader.Read(folder.Path)))
        {
            Assert.Equal(written.TopIds, read.TopIds);
            for (int i = 0; i < written.TopLogprobs.Length; i++)
                measured = Math.Max(measured, Math.Abs(read.TopLogprobs[i] - (double)written.TopLogprobs[i]));
            for (int i = 0; i < written.SampledLogprobs.Length; i++)
                measured = Math.Max(measured, Math.Abs(read.SampledLogprobs[i] - (double)written.SampledLogprobs[i]));
        }
        output.WriteLine(stats.ToString());
        output.WriteLine($"max |read − written| logprob error: {measured:0.00000} nats");
        foreach (var (column, bytes) in stats.ColumnBytes.OrderByDescending(c => c.Value).Take(8))
            output.WriteLine($"  {column,-22} {(double)bytes / stats.CompletionTokens,6:0.00} bytes/token");

        Assert.Equal(512, stats.Rows);
        Assert.Equal(rows.Sum(r => (long)r.CompletionTokenCount), stats.CompletionTokens);
        Assert.InRange(stats.BytesPerToken, 1, 64);
        Assert.InRange(stats.PerTokenColumnBytesPerToken, 1, stats.BytesPerToken);
        Assert.InRange(measured, 0, 0.01);
        Assert.Equal(measured, stats.MaxLogprobError!.Value, 6);
    }

    [Fact]
    public void Stats_of_a_folder_count_files_rows_and_tokens_of_complete_parts_only()
    {
        using var folder = new TempDirectory();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { PartRows = 2 }))
            for (int i = 0; i < 5; i++) writer.Write(TraceTestData.Small(i, failed: i == 4));
        folder.Write(".part-0009-0.parquet.tmp", "half a file");

        var stats = TraceFileStats.Measure(folder.Path);

        Assert.Equal((3, 5L, 12L), (stats.Files, stats.Rows, stats.CompletionTokens));
        Assert.Equal(Directory.GetFiles(folder.Path, "part-*").Sum(f => new FileInfo(f).Length), stats.FileBytes);
        Assert.Null(stats.MaxLogprobError);
        Assert.Contains("bytes/token", stats.ToString());
    }
}
