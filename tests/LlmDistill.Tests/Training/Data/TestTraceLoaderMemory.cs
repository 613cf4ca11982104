using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Traces;
using LlmDistill.Training.Data;

namespace LlmDistill.Tests.Training.Data;

/// <summary>Runs alone with the other memory tests: GC.GetTotalMemory counts what tests running beside it allocate.</summary>
[Collection(TraceMemoryCollection.Name)]
public class TestTraceLoaderMemory
{
    public TestTraceLoaderMemory() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void Loading_a_50k_row_trace_folder_keeps_managed_memory_flat()
    {
        using var folder = new TempDirectory();
        LoaderTraces.Write(folder.Path, Enumerable.Range(0, 50_000).Select(i => LoaderTraces.Numbered(i / 2, i % 2)), partRows: 10_000);
        var loader = new TraceDataLoader(folder.Path, LoaderTraces.Vocabulary, new TraceLoaderOptions { BatchSize = 8, ShuffleBuffer = 1024, SortByLength = true });

        long batches = 0, early = 0, late = 0;
        foreach (var batch in loader.ReadEpoch(0))
        {
            batch.Dispose();
            if (++batches == 500) early = GC.GetTotalMemory(forceFullCollection: true);
            if (batches == 6000) late = GC.GetTotalMemory(forceFullCollection: true);
        }
        Assert.Equal(6250, batches);
        Assert.Equal(50_000, loader.Stats.Examples);
        Assert.InRange(late - early, long.MinValue, 16L << 20);
    }
}
