using System.Runtime.InteropServices;

namespace LlmDistill.Gguf.Tests;

public sealed class TestGgufFile : IDisposable
{
    private readonly TempFiles _temp = new();

    public void Dispose() => _temp.Dispose();

    private string WriteRaw(string name, byte[] bytes)
    {
        var path = _temp.Path(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void A_hand_built_version_2_file_is_read()
    {
        var raw = new RawGguf().Header(tensors: 1, kvs: 2, version: 2)
            .KvString("general.architecture", "llama")
            .KvU32("general.alignment", 16)
            .TensorInfo("w", [2, 2], (uint)GgmlType.F32, 0)
            .PadTo(16);
        var dataStart = raw.Position;
        foreach (var v in new[] { 1f, 2f, 3f, 4f })
        {
            raw.U32(BitConverter.SingleToUInt32Bits(v));
        }
        using var file = GgufFile.Open(WriteRaw("v2.gguf", raw.ToArray()));
        Assert.Equal(2u, file.Version);
        Assert.Equal(16u, file.Alignment);
        Assert.Equal(dataStart, file.DataStart);
        Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        Assert.Equal([1f, 2f, 3f, 4f], file.ReadTensorAsFloat("w"));
        Assert.Equal([2L, 2L], file.Tensors[0].RowMajorShape());
    }

    [Fact]
    public void A_file_without_tensors_needs_no_data_section()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1).KvString("k", "v");
        using var file = GgufFile.Open(WriteRaw("none.gguf", raw.ToArray()));
        Assert.Empty(file.Tensors);
        Assert.Equal("v", file.Metadata.GetString("k"));
    }

    [Fact]
    public void Tensors_larger_than_the_decode_buffer_are_dequantized_in_chunks()
    {
        var path = _temp.Path("big.gguf");
        const int rows = 1000, cols = 1024; // Q8_0: 1.09 MB, more than one 1 MiB chunk
        var data = new float[rows * cols];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (i % 251 - 125) * 0.01f;
        }
        new GgufWriter().AddTensor("big", [cols, rows], GgmlType.Q8_0, () => data).AddTensor("bigf16", [cols, rows], GgmlType.F16, data).Write(path);

        using var file = GgufFile.Open(path);
        var info = file.GetTensor("big");
        Assert.True(info.ByteSize > 1 << 20);
        var bytes = file.ReadTensorBytes(info);
        var expected = new float[data.Length];
        Dequantization.GgmlDequantizer.Dequantize(GgmlType.Q8_0, bytes, expected);
        TestGgufWriter.AssertBitsEqual(expected, file.DequantizeToFloat(info));

        var f16 = file.ReadTensorAsFloat("bigf16");
        for (var i = 0; i < data.Length; i += 997)
        {
            Assert.Equal((float)(Half)data[i], f16[i]);
        }

        var part = new byte[68];
        file.ReadTensorBytes(info, 34 * 10, part);
        Assert.Equal(bytes.AsSpan(340, 68).ToArray(), part);
        Assert.Throws<ArgumentOutOfRangeException>(() => file.ReadTensorBytes(info, info.ByteSize - 10, new byte[11]));
    }

    [Fact]
    public void Tensor_infos_from_another_file_are_refused()
    {
        var a = _temp.Path("a.gguf");
        var b = _temp.Path("b.gguf");
        new GgufWriter().AddTensor("t", [4], GgmlType.F32, new float[4]).Write(a);
        new GgufWriter().AddTensor("t", [4], GgmlType.F32, new float[4]).Write(b);
        using var fa = GgufFile.Open(a);
        using var fb = GgufFile.Open(b);
        Assert.Throws<ArgumentException>(() => fa.ReadTensorBytes(fb.Tensors[0]));
        Assert.Throws<KeyNotFoundException>(() => fa.ReadTensorAsFloat("missing"));
        Assert.False(fa.TryGetTensor("missing", out _));
    }

    [Fact]
    public void Zero_offset_gaps_and_reordered_offsets_are_accepted_when_tensors_do_not_overlap()
    {
        var raw = new RawGguf().Header(tensors: 2, kvs: 0)
            .TensorInfo("second", [8], (uint)GgmlType.F32, 64)
            .TensorInfo("first", [8], (uint)GgmlType.F32, 0)
            .PadTo(32);
        var floats = Enumerable.Range(0, 24).Select(i => (float)i).ToArray();
        raw.Bytes(MemoryMarshal.AsBytes(floats.AsSpan()));
        using var file = GgufFile.Open(WriteRaw("gaps.gguf", raw.ToArray()));
        Assert.Equal(floats[16..24], file.ReadTensorAsFloat("second"));
        Assert.Equal(floats[..8], file.ReadTensorAsFloat("first"));
    }
}
