using System.IO.Compression;

namespace LlmDistill.Traces;

/// <summary>How a <see cref="TraceWriter"/> cuts rows into row groups and part files.</summary>
public sealed record TraceWriterOptions
{
    /// <summary>Goes into part file names, so that writers with different shards can share one folder.</summary>
    public string Shard { get; init; } = "0";
    /// <summary>A row group is written when it holds this many rows…</summary>
    public int RowGroupRows { get; init; } = 256;
    /// <summary>…or this many completion tokens (bounds memory for long completions).</summary>
    public int RowGroupTokens { get; init; } = 128 * 1024;
    /// <summary>The part file is closed and a new one started after this many rows.</summary>
    public int PartRows { get; init; } = 32 * 1024;
    /// <summary>ZSTD level: Fastest = 1, Optimal = 3, SmallestSize = 19.</summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Optimal;

    public void Validate()
    {
        TracePartFiles.ValidateShard(Shard);
        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(RowGroupTokens, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(PartRows, 1);
    }
}
