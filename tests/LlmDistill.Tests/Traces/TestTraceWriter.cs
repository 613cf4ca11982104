using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

public class TestTraceWriter
{
    [Fact]
    public void Rows_written_read_back_the_same_with_logprobs_within_the_quantisation_error()
    {
        using var folder = new TempDirectory();
        TraceRecord[] rows = [TraceTestData.Small(0), TraceTestData.Small(1, sample: 3), TraceTestData.Small(2, failed: true), TraceTestData.Small(3)];
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance()))
            foreach (var row in rows) writer.Write(row);

        var read = TraceReader.Read(folder.Path).ToList();

        Assert.Equal(rows.Length, read.Count);
        for (int i = 0; i < rows.Length; i++) TraceTestData.AssertSame(rows[i], read[i]);
    }

    [Fact]
    public void Realistic_rows_at_k_20_round_trip_through_several_row_groups()
    {
        using var folder = new TempDirectory();
        var synthetic = new SyntheticTraces(seed: 7);
        var rows = Enumerable.Range(0, 12).Select(i => synthetic.Row("gsm8k", "train", i / 3, i % 3)).ToList();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { RowGroupRows = 5 }))
            foreach (var row in rows) writer.Write(row);

        var read = TraceReader.Read(folder.Path).ToList();

        Assert.Equal(rows.Count, read.Count);
        for (int i = 0; i < rows.Count; i++) TraceTestData.AssertSame(rows[i], read[i]);
    }

    [Fact]
    public void Parts_roll_over_after_the_configured_rows_and_are_named_by_index_and_shard()
    {
        using var folder = new TempDirectory();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { Shard = "gpu1", PartRows = 3, RowGroupRows = 2 }))
            for (int i = 0; i < 7; i++) writer.Write(TraceTestData.Small(i));

        Assert.Equal(["part-0000-gpu1.parquet", "part-0001-gpu1.parquet", "part-0002-gpu1.parquet"],
            Directory.GetFiles(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"gsm8k/train/q{i}/0"), TraceReader.Read(folder.Path).Select(r => r.Key));
    }

    [Fact]
    public void Flush_completes_the_current_part_and_later_rows_go_to_a_new_one()
    {
        using var folder = new TempDirectory();
        using var writer = new TraceWriter(folder.Path, TraceTestData.Provenance());
        writer.Write(TraceTestData.Small(0));
        Assert.Empty(TracePartFiles.List(folder.Path));

        writer.Flush();
        Assert.Equal(["gsm8k/train/q0/0"], TraceReader.ReadKeys(folder.Path));

        writer.Write(TraceTestData.Small(1));
        writer.Flush();
        writer.Flush();
        Assert.Equal(2, TracePartFiles.List(folder.Path).Count);
        Assert.Equal(2, writer.CompletedParts.Count);
    }

    [Fact]
    public void A_writer_disposed_mid_way_leaves_only_complete_part_files()
    {
        using var folder = new TempDirectory();
        var writer = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { RowGroupRows = 2, PartRows = 4 });
        for (int i = 0; i < 6; i++) writer.Write(TraceTestData.Small(i));
        Assert.Single(TracePartFiles.ListTemporaries(folder.Path));

        writer.Dispose();
        writer.Dispose();

        Assert.Empty(TracePartFiles.ListTemporaries(folder.Path));
        Assert.All(Directory.GetFiles(folder.Path), f => Assert.Matches(@"part-\d{4}-0\.parquet$", f));
        Assert.Equal(6, TraceReader.Read(folder.Path).Count());
        Assert.Throws<ObjectDisposedException>(() => writer.Write(TraceTestData.Small(9)));
    }

    [Fact]
    public void A_second_writer_in_the_same_folder_continues_the_part_numbers()
    {
        using var folder = new TempDirectory();
        using (var first = new TraceWriter(folder.Path, TraceTestData.Provenance())) first.Write(TraceTestData.Small(0));
        using (var second = new TraceWriter(folder.Path, TraceTestData.Provenance())) second.Write(TraceTestData.Small(1));

        Assert.Equal(["part-0000-0.parquet", "part-0001-0.parquet"],
            TracePartFiles.List(folder.Path).Select(Path.GetFileName));
        Assert.Equal(["gsm8k/train/q0/0", "gsm8k/train/q1/0"], TraceReader.ReadKeys(folder.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Rows_whose_per_token_arrays_disagree_are_refused()
    {
        using var folder = new TempDirectory();
        using var writer = new TraceWriter(folder.Path, TraceTestData.Provenance());
        var bad = TraceTestData.Small(0) with { TailMass = [0.1f] };

        Assert.Throws<ArgumentException>(() => writer.Write(bad));
        Assert.Throws<ArgumentException>(() => writer.Write(TraceTestData.Small(0) with { Dataset = "a/b" }));
    }

    [Fact]
    public void A_generator_completion_becomes_a_record_that_round_trips()
    {
        using var folder = new TempDirectory();
        var completion = new Completion
        {
            Index = 0, PromptTokenCount = 3, Text = "4", FinishReason = FinishReason.Stop, TopK = 3,
            TokenIds = [19, 13], SampledLogprobs = [-0.05f, -1.2f],
            TopIds = [19, 20, 18, 11, 13, 198], TopLogprobs = [-0.05f, -3.1f, -4f, -0.4f, -1.2f, -6.25f], TailMass = [0.003f, 0.05f],
        };
        var record = TraceRecord.FromCompletion(completion, "gsm8k", "test", "17", 2, "2+2?", "4", "Q: 2+2?\nA:", [48, 25, 17])
            with { Rationale = "", Answer = "4", Correct = true };

        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance())) writer.Write(record);

        var read = Assert.Single(TraceReader.Read(folder.Path));
        TraceTestData.AssertSame(record, read);
        Assert.Equal("gsm8k/test/17/2", read.Key);
        Assert.Equal(FinishReason.Stop, read.FinishReason);
    }
}
