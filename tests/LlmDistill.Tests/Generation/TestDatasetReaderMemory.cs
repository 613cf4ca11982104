using LlmDistill.Generation.Datasets;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Generation;

/// <summary>Runs alone with the other memory tests: GC.GetTotalMemory counts what tests running beside it allocate.</summary>
[Collection(Traces.TraceMemoryCollection.Name)]
public class TestDatasetReaderMemory
{
    [Fact]
    public void Enumeration_is_lazy_and_memory_stays_bounded_on_a_200k_line_file()
    {
        using var dir = new TempDirectory();
        string path = dir.File("big.jsonl");
        using (var writer = new StreamWriter(path))
            for (int i = 0; i < 200_000; i++)
                writer.WriteLine($$"""{"question": "Item {{i}}: what is {{i}} plus {{i}}? Pad the line to look like a real question.", "answer": "{{2 * i}}"}""");

        // Lazy: the first row arrives before the file has been read through.
        using (var rows = DatasetReader.Open(path).GetEnumerator())
        {
            Assert.True(rows.MoveNext());
            Assert.Equal("0", rows.Current.GoldAnswer);
        }

        // Bounded: the live heap after a full pass holds the id table (~100 B/row), not the rows (~400 B each).
        GC.Collect();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long count = 0, peak = 0;
        foreach (var row in DatasetReader.Open(path))
        {
            if (++count % 50_000 == 0) peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        }
        Assert.Equal(200_000, count);
        Assert.True(peak < 48 << 20, $"live heap grew by {peak >> 20} MiB while streaming 200k rows");
    }
}
