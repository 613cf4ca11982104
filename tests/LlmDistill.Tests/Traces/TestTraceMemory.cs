using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

/// <summary>Runs alone: GC.GetTotalMemory counts what tests running beside it allocate.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TraceMemoryCollection
{
    public const string Name = "Trace memory";
}

[Collection(TraceMemoryCollection.Name)]
public class TestTraceMemory
{
    [Fact]
    public void Writing_and_reading_200k_rows_keeps_managed_memory_flat()
    {
        using var folder = new TempDirectory();
        var row = TraceTestData.Small(1);
        long after10k = 0;
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { PartRows = 50_000 }))
        {
            for (int i = 0; i < 200_000; i++)
            {
                writer.Write(row with { ExampleId = $"q{i}" });
                if (i == 10_000) after10k = GC.GetTotalMemory(forceFullCollection: true);
            }
            long after200k = GC.GetTotalMemory(forceFullCollection: true);
            Assert.InRange(after200k - after10k, long.MinValue, 16L << 20);
        }

        Assert.Equal(4, TracePartFiles.List(folder.Path).Count);
        Assert.Equal(200_000, TraceReader.ReadKeys(folder.Path).Count);
        long read = 0, afterRead10k = 0;
        foreach (var _ in TraceReader.Read(folder.Path))
        {
            if (++read == 10_000) afterRead10k = GC.GetTotalMemory(forceFullCollection: true);
            if (read == 190_000) Assert.InRange(GC.GetTotalMemory(forceFullCollection: true) - afterRead10k, long.MinValue, 16L << 20);
        }
        Assert.Equal(200_000, read);
    }
}
