using System.Security.Cryptography;
using System.Text;

namespace LlmDistill.Generation;

/// <summary>
/// A shard <c>i/n</c>: which examples this machine generates. An example belongs to shard
/// (first 8 bytes of SHA-256(example id), little-endian) mod n, so every machine agrees without coordination
/// and the shards partition the data set exactly.
/// </summary>
public sealed record ShardFilter(int Index, int Count)
{
    public static ShardFilter All { get; } = new(0, 1);

    /// <summary>Parses "i/n" with 0 ≤ i &lt; n.</summary>
    public static ShardFilter Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], out int index) || !int.TryParse(parts[1], out int count) || count < 1 || index < 0 || index >= count)
            throw new ArgumentException($"a shard is i/n with 0 <= i < n (for example 0/4), not '{text}'");
        return new ShardFilter(index, count);
    }

    public bool Contains(string exampleId)
    {
        if (Count == 1) return true;
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(exampleId), hash);
        return (int)(BitConverter.ToUInt64(hash) % (ulong)Count) == Index;
    }

    /// <summary>Used in part-file names: "0of4"; "all" for the whole set.</summary>
    public string Label => Count == 1 ? "all" : $"{Index}of{Count}";

    public override string ToString() => $"{Index}/{Count}";
}
