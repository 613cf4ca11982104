using System.Buffers.Binary;
using System.Diagnostics;
using LlmDistill.Gguf.Dequantization;
using Xunit.Abstractions;

namespace LlmDistill.Gguf.Tests;

/// <summary>
/// Thousands of mutations of a small valid file: each must either read as valid (and then read all its tensors
/// without trouble) or throw <see cref="GgufFormatException"/>; never another exception, never a hang, and never
/// more than a bounded allocation.
/// </summary>
public sealed class TestGgufFileHostile(ITestOutputHelper output) : IDisposable
{
    // Per-file allocation cap; the base file is ~1.5 KB, so anything near this means a length was trusted.
    private const long MaxAllocatedBytesPerFile = 2 << 20;

    private readonly TempFiles _temp = new();

    public void Dispose() => _temp.Dispose();

    private byte[] BaseFile(out long dataStart)
    {
        var w = new GgufWriter();
        w.Metadata.SetString("general.architecture", "llama")
            .SetUInt32("general.alignment", 32)
            .SetStringArray("tokenizer.ggml.tokens", ["<s>", "a", "bc", "def"])
            .SetFloat32Array("tokenizer.ggml.scores", [0f, 1f, 2f, 3f])
            .SetBool("flag", true)
            .SetUInt64("big", 1UL << 40)
            .Set("nested", GgufValue.FromArray([GgufValue.FromArray(new short[] { 1, 2 }), GgufValue.FromArray(new[] { "x" })]))
            .Set("bools", GgufValue.FromArray(new[] { true, false }));
        var ramp = Enumerable.Range(0, 64).Select(i => i * 0.25f - 8f).ToArray();
        w.AddTensor("tok_embd.weight", [32, 2], GgmlType.Q8_0, ramp);
        w.AddTensor("norm.weight", [8], GgmlType.F32, ramp[..8]);
        w.AddTensor("out.weight", [16, 2], GgmlType.F16, ramp[..32]);
        var path = _temp.Path("base.gguf");
        w.Write(path);
        using (var f = GgufFile.Open(path))
        {
            dataStart = f.DataStart;
        }
        return File.ReadAllBytes(path);
    }

    private static IEnumerable<(string What, byte[] Bytes)> Mutations(byte[] valid, long dataStart)
    {
        var header = (int)dataStart;

        // Truncation at every offset of the header/metadata/tensor-info region, and every 5th data offset.
        for (var n = 0; n < valid.Length; n += n < header ? 1 : 5)
        {
            yield return ($"truncated to {n} bytes", valid[..n]);
        }

        // Large values written over every 8-byte window of the header region: hits every count, length, dim, offset.
        ulong[] huge = [ulong.MaxValue, long.MaxValue, 1UL << 60, 1UL << 32, (ulong)valid.Length, (ulong)valid.Length - 1];
        for (var at = 0; at + 8 <= header; at++)
        {
            foreach (var value in huge)
            {
                var b = (byte[])valid.Clone();
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), value);
                yield return ($"u64 {value} at {at}", b);
            }
        }

        // Small uint32 values over every 4-byte window: n_dims 0/5, unknown value types 13, removed ggml types 4/31,
        // nested-array markers 9, misaligned offsets 1, zero dims 0.
        uint[] small = [0, 1, 4, 5, 9, 13, 31, 43, 0xFFFFFFFF];
        for (var at = 0; at + 4 <= header; at++)
        {
            foreach (var value in small)
            {
                var b = (byte[])valid.Clone();
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), value);
                yield return ($"u32 {value} at {at}", b);
            }
        }

        // Random byte flips in the header region, fixed seed.
        var rng = new Random(20240601);
        for (var i = 0; i < 2000; i++)
        {
            var b = (byte[])valid.Clone();
            var flips = rng.Next(1, 5);
            var what = "flips";
            for (var k = 0; k < flips; k++)
            {
                var at = rng.Next(header);
                b[at] ^= (byte)rng.Next(1, 256);
                what += $" {at}";
            }
            yield return (what, b);
        }

        // Tensor data garbage: valid structure, any bytes must decode.
        var garbage = (byte[])valid.Clone();
        rng.NextBytes(garbage.AsSpan(header));
        yield return ("random tensor data", garbage);
    }

    [Fact]
    public async Task Mutated_files_either_read_as_valid_or_throw_GgufFormatException()
    {
        var valid = BaseFile(out var dataStart);
        var stats = new int[2];
        var failures = new List<string>();
        var stopwatch = Stopwatch.StartNew();
        var count = 0;

        var work = Task.Run(() =>
        {
            foreach (var (what, bytes) in Mutations(valid, dataStart))
            {
                // Mutants are read from memory (disk writes dominated the run time on a busy machine);
                // every 25th also goes through a real file to cover the file-backed source.
                string? path = null;
                if (count++ % 25 == 0)
                {
                    path = _temp.Path("mutant.gguf");
                    File.WriteAllBytes(path, bytes);
                }
                var before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    using var file = path is null ? GgufFile.Open(bytes, what) : GgufFile.Open(path);
                    foreach (var t in file.Tensors)
                    {
                        file.ReadTensorBytes(t);
                        if (GgmlDequantizer.IsSupported(t.Type))
                        {
                            file.DequantizeToFloat(t);
                        }
                    }
                    stats[0]++;
                }
                catch (GgufFormatException)
                {
                    stats[1]++;
                }
                catch (Exception e)
                {
                    failures.Add($"{what}: {e.GetType().Name}: {e.Message}");
                }
                var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                if (allocated > MaxAllocatedBytesPerFile)
                {
                    failures.Add($"{what}: allocated {allocated} bytes");
                }
            }
        });

        var finished = await Task.WhenAny(work, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == work, "the mutation loop did not finish within 60 s");
        await work;
        output.WriteLine($"{stats[0]} mutants read as valid, {stats[1]} refused, in {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(stats[0] + stats[1] > 1000, "expected well over a thousand mutants");
        Assert.True(stats[1] > 500, "most header mutations should be refused");
    }
}
