using LlmDistill.Pipeline;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>Measured, not timed: managed memory after 90k exported rows is what it was after 10k.</summary>
[Collection(TraceMemoryCollection.Name)]
public sealed class TestTraceExportMemory : IDisposable
{
    const int Rows = 100_000;
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(TraceExportFormat.KdTopk)]
    [InlineData(TraceExportFormat.ParquetDecoded)]
    public void Exporting_100k_rows_keeps_managed_memory_flat(TraceExportFormat format)
    {
        string traces = _directory.File("traces");
        var row = TraceTestData.Small(1);
        using (var writer = new TraceWriter(traces, TraceTestData.Provenance(), new TraceWriterOptions { PartRows = 40_000 }))
            for (int i = 0; i < Rows; i++) writer.Write(row with { ExampleId = $"q{i}" });
        long after10k = 0, after90k = 0;

        var summary = TraceExport.Run(
            new TraceExportSettings { TracesPath = traces, OutputPath = _directory.File("out" + format.FileExtension()), Format = format },
            new InlineProgress<TraceExportProgress>(p =>
            {
                // Reports come every 1024 rows read, on the exporting thread.
                if (p.RowsRead / 1024 == 10) after10k = GC.GetTotalMemory(forceFullCollection: true);
                if (p.RowsRead / 1024 == 88) after90k = GC.GetTotalMemory(forceFullCollection: true);
            }));

        Assert.Equal(Rows, summary.RowsWritten);
        Assert.True(after10k > 0 && after90k > 0);
        Assert.InRange(after90k - after10k, long.MinValue, 8L << 20);
    }
}
