using System.Runtime.InteropServices;

namespace LlmDistill.Gguf.Tests;

public sealed class TestGgufWriter : IDisposable
{
    private readonly TempFiles _temp = new();

    public void Dispose() => _temp.Dispose();

    private static GgufMetadata EveryValueType()
    {
        var m = new GgufMetadata();
        m.SetString("general.architecture", "llama");
        m.SetString("general.name", "tiny ünïcödé 🦙");
        m.SetString("empty.string", "");
        m.SetUInt8("v.u8", 250);
        m.SetInt8("v.i8", -100);
        m.SetUInt16("v.u16", 65000);
        m.SetInt16("v.i16", -32000);
        m.SetUInt32("v.u32", 4_000_000_000);
        m.SetInt32("v.i32", -2_000_000_000);
        m.SetUInt64("v.u64", ulong.MaxValue);
        m.SetInt64("v.i64", long.MinValue);
        m.SetFloat32("v.f32", 3.25f);
        m.SetFloat64("v.f64", Math.PI);
        m.SetBool("v.true", true);
        m.SetBool("v.false", false);
        m.SetStringArray("tokenizer.ggml.tokens", ["<s>", "</s>", "", "héllo", "▁the"]);
        m.SetInt32Array("tokenizer.ggml.token_type", [1, 3, 3, 1, 1]);
        m.SetFloat32Array("tokenizer.ggml.scores", [0f, -1.5f, float.NaN, float.NegativeInfinity, 1e-30f]);
        m.Set("a.u8", GgufValue.FromArray(new byte[] { 1, 2, 255 }));
        m.Set("a.i8", GgufValue.FromArray(new sbyte[] { -1, 2 }));
        m.Set("a.u16", GgufValue.FromArray(new ushort[] { 1, 65535 }));
        m.Set("a.i16", GgufValue.FromArray(new short[] { -1, 32767 }));
        m.Set("a.u32", GgufValue.FromArray([1u, uint.MaxValue]));
        m.Set("a.u64", GgufValue.FromArray([1ul, ulong.MaxValue]));
        m.Set("a.i64", GgufValue.FromArray([-1L, long.MaxValue]));
        m.Set("a.f64", GgufValue.FromArray([0.1, -2.5]));
        m.Set("a.bool", GgufValue.FromArray([true, false, true]));
        m.Set("a.empty", GgufValue.FromArray(ReadOnlySpan<int>.Empty));
        m.Set("a.nested", GgufValue.FromArray([GgufValue.FromArray([1, 2]), GgufValue.FromArray(["x", "y", "z"]), GgufValue.FromArray(ReadOnlySpan<float>.Empty)]));
        return m;
    }

    private static float[] Ramp(int n, float scale = 0.37f) =>
        Enumerable.Range(0, n).Select(i => MathF.Sin(i * scale) * (1 + i % 7)).ToArray();

    [Fact]
    public void Metadata_of_every_value_type_round_trips_in_order()
    {
        var path = _temp.Path("meta.gguf");
        var written = EveryValueType();
        new GgufWriter(written).Write(path);

        using var file = GgufFile.Open(path);
        Assert.Equal(3u, file.Version);
        Assert.Equal(written.Keys, file.Metadata.Keys);
        foreach (var (key, value) in written)
        {
            Assert.Equal(value, file.Metadata[key]);
        }
        Assert.Equal("tiny ünïcödé 🦙", file.Metadata.GetString("general.name"));
        Assert.Equal(["<s>", "</s>", "", "héllo", "▁the"], file.Metadata.GetStringArray("tokenizer.ggml.tokens"));
        Assert.Equal(ulong.MaxValue, file.Metadata.GetUInt64("v.u64"));
        Assert.Equal(-2_000_000_000, file.Metadata.GetInt32("v.i32"));
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Tensors_round_trip_bit_exact_for_F32_F16_BF16()
    {
        var path = _temp.Path("tensors.gguf");
        var data = Ramp(3 * 40);
        data[5] = float.NaN;
        data[6] = float.PositiveInfinity;
        data[7] = -0f;
        data[8] = 1e-42f; // float subnormal
        var w = new GgufWriter();
        w.Metadata.SetString("general.architecture", "llama");
        w.AddTensor("f32", [40, 3], GgmlType.F32, data);
        w.AddTensor("f16", [40, 3], GgmlType.F16, data);
        w.AddTensor("bf16", [40, 3], GgmlType.BF16, data);
        w.Write(path);

        using var file = GgufFile.Open(path);
        Assert.Equal(["f32", "f16", "bf16"], file.Tensors.Select(t => t.Name));
        var f32 = file.GetTensor("f32");
        Assert.Equal([40L, 3L], f32.Dimensions);
        Assert.Equal(120, f32.ElementCount);
        Assert.Equal(480, f32.ByteSize);
        Assert.Equal(MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), file.ReadTensorBytes(f32));
        AssertBitsEqual(data, file.ReadTensorAsFloat("f32"));

        var expectedF16 = data.Select(x => (float)(Half)x).ToArray();
        AssertBitsEqual(expectedF16, file.ReadTensorAsFloat("f16"));
        var f16Bytes = file.ReadTensorBytes(file.GetTensor("f16"));
        Assert.Equal(data.Select(x => BitConverter.HalfToUInt16Bits((Half)x)), MemoryMarshal.Cast<byte, ushort>(f16Bytes).ToArray());

        var expectedBf16 = data.Select(x => BitConverter.UInt32BitsToSingle((uint)HalfConversions.FloatToBF16(x) << 16)).ToArray();
        AssertBitsEqual(expectedBf16, file.ReadTensorAsFloat("bf16"));
    }

    [Fact]
    public void Q8_0_tensors_round_trip_bytes_exactly_and_values_match_the_reference_dequantization()
    {
        var path = _temp.Path("q8.gguf");
        var data = Ramp(64 * 5, 0.11f);
        var expectedBytes = new byte[5 * 2 * 34];
        Quantization.GgmlQuantizer.Quantize(GgmlType.Q8_0, data, expectedBytes);
        new GgufWriter().AddTensor("q", [64, 5], GgmlType.Q8_0, data).Write(path);

        using var file = GgufFile.Open(path);
        var info = file.GetTensor("q");
        Assert.Equal(GgmlType.Q8_0, info.Type);
        Assert.Equal(expectedBytes, file.ReadTensorBytes(info));

        // Reference: per block d = f16(amax/127), value = d * q.
        var values = file.DequantizeToFloat(info);
        for (var b = 0; b < data.Length / 32; b++)
        {
            var amax = data.Skip(b * 32).Take(32).Max(MathF.Abs);
            var d = (float)(Half)(amax / 127f);
            for (var j = 0; j < 32; j++)
            {
                var q = (sbyte)expectedBytes[b * 34 + 2 + j];
                Assert.Equal(d * q, values[b * 32 + j]);
                Assert.True(MathF.Abs(values[b * 32 + j] - data[b * 32 + j]) <= amax / 127f * 0.51f + amax * 1e-3f);
            }
        }
    }

    [Fact]
    public void Tensor_offsets_and_data_start_honour_a_custom_alignment()
    {
        var path = _temp.Path("align.gguf");
        var w = new GgufWriter();
        w.Metadata.SetUInt32("general.alignment", 64);
        w.AddTensor("a", [3], GgmlType.F32, [1f, 2f, 3f]);
        w.AddTensor("b", [5], GgmlType.F16, [1f, 2f, 3f, 4f, 5f]);
        w.AddTensor("c", [32], GgmlType.Q8_0, Ramp(32));
        w.Write(path);

        using var file = GgufFile.Open(path);
        Assert.Equal(64u, file.Alignment);
        Assert.Equal(0, file.DataStart % 64);
        Assert.Equal([0L, 64L, 128L], file.Tensors.Select(t => t.Offset));
        Assert.Equal(file.DataStart + 128 + 64, file.Length); // the last tensor is padded too, as llama.cpp writes
        Assert.Equal([1f, 2f, 3f], file.ReadTensorAsFloat("a"));
        Assert.Equal([1f, 2f, 3f, 4f, 5f], file.ReadTensorAsFloat("b"));
    }

    [Fact]
    public void Default_alignment_is_32_and_offsets_follow_each_other_as_llama_cpp_requires()
    {
        var path = _temp.Path("seq.gguf");
        var w = new GgufWriter();
        w.AddTensor("a", [7], GgmlType.F32, new float[7]);
        w.AddTensor("b", [9, 2], GgmlType.BF16, new float[18]);
        w.AddTensor("c", [1], GgmlType.F32, new float[1]);
        w.Write(path);

        using var file = GgufFile.Open(path);
        Assert.Equal(32u, file.Alignment);
        Assert.Equal([0L, 32L, 96L], file.Tensors.Select(t => t.Offset));
    }

    [Fact]
    public void Tensor_sources_are_called_lazily_one_at_a_time_during_write()
    {
        var path = _temp.Path("lazy.gguf");
        var calls = new List<string>();
        var w = new GgufWriter();
        foreach (var name in new[] { "x", "y", "z" })
        {
            w.AddTensor(name, [32, 2], GgmlType.Q8_0, () =>
            {
                calls.Add(name);
                return Ramp(64);
            });
        }
        w.AddEncodedTensor("raw", [4], GgmlType.I8, () =>
        {
            calls.Add("raw");
            return new byte[] { 1, 2, 3, 4 };
        });
        Assert.Empty(calls);
        w.Write(path);
        Assert.Equal(["x", "y", "z", "raw"], calls);

        using var file = GgufFile.Open(path);
        Assert.Equal([1, 2, 3, 4], file.ReadTensorBytes(file.GetTensor("raw")));
        Assert.Throws<NotSupportedException>(() => file.ReadTensorAsFloat("raw"));
    }

    [Fact]
    public void A_failing_source_leaves_no_file_and_no_temporary_file()
    {
        var path = _temp.Path("fail.gguf");
        File.WriteAllText(path, "previous content");
        var w = new GgufWriter();
        w.AddTensor("ok", [4], GgmlType.F32, new float[4]);
        w.AddTensor("bad", [4], GgmlType.F32, () => throw new InvalidDataException("boom"));
        Assert.Throws<InvalidDataException>(() => w.Write(path));
        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_temp.Directory));
    }

    [Fact]
    public void A_source_returning_the_wrong_length_is_refused_and_names_the_tensor()
    {
        var w = new GgufWriter();
        w.AddTensor("short", [4, 4], GgmlType.F32, () => new float[15]);
        var e = Assert.Throws<InvalidOperationException>(() => w.Write(_temp.Path("short.gguf")));
        Assert.Contains("'short'", e.Message);
        Assert.Empty(Directory.GetFiles(_temp.Directory));
    }

    [Fact]
    public void Invalid_tensors_are_refused_when_added()
    {
        var w = new GgufWriter();
        w.AddTensor("a", [32], GgmlType.F32, new float[32]);
        Assert.Throws<ArgumentException>(() => w.AddTensor("a", [32], GgmlType.F32, new float[32]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("q", [31], GgmlType.Q8_0, new float[31]));
        Assert.Throws<ArgumentException>(() => w.AddTensor("z", [0], GgmlType.F32, []));
        Assert.Throws<ArgumentException>(() => w.AddTensor("d5", [1, 1, 1, 1, 1], GgmlType.F32, new float[1]));
        Assert.Throws<ArgumentException>(() => w.AddTensor(new string('n', 64), [1], GgmlType.F32, new float[1]));
        Assert.Throws<NotSupportedException>(() => w.AddTensor("k", [256], GgmlType.Q4_K, new float[256]));
    }

    [Fact]
    public void A_non_power_of_two_alignment_is_refused_at_write()
    {
        var w = new GgufWriter();
        w.Metadata.SetUInt32("general.alignment", 48);
        Assert.Throws<InvalidOperationException>(() => w.Write(_temp.Path("a48.gguf")));
        Assert.Empty(Directory.GetFiles(_temp.Directory));
    }

    internal static void AssertBitsEqual(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(
                BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"element {i}: expected {expected[i]} (0x{BitConverter.SingleToInt32Bits(expected[i]):x8}) but got {actual[i]} (0x{BitConverter.SingleToInt32Bits(actual[i]):x8})");
        }
    }
}
