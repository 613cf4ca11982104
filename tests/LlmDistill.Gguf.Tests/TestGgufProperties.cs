using System.Runtime.InteropServices;
using CsCheck;
using LlmDistill.Gguf.Dequantization;
using LlmDistill.Gguf.Quantization;

namespace LlmDistill.Gguf.Tests;

/// <summary>
/// Properties that must hold for every input, checked on generated ones (CsCheck: a failure shrinks to a small case
/// and prints the seed that reproduces it). Iterations are sized so the class runs in a few seconds.
/// </summary>
public sealed class TestGgufProperties : IDisposable
{
    private readonly TempFiles _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Any Unicode scalar value (no lone surrogates: those have no UTF-8 form).</summary>
    private static readonly Gen<string> Text =
        Gen.Int[0, 0x10FFFF].Where(c => c is < 0xD800 or > 0xDFFF).Select(char.ConvertFromUtf32).Array[0, 12].Select(string.Concat);

    private static readonly Gen<GgufValue> Value = Gen.OneOf(
        Gen.Byte.Select(GgufValue.FromUInt8), Gen.SByte.Select(GgufValue.FromInt8), Gen.UShort.Select(GgufValue.FromUInt16),
        Gen.Short.Select(GgufValue.FromInt16), Gen.UInt.Select(GgufValue.FromUInt32), Gen.Int.Select(GgufValue.FromInt32),
        Gen.ULong.Select(GgufValue.FromUInt64), Gen.Long.Select(GgufValue.FromInt64), Gen.Float.Select(GgufValue.FromFloat32),
        Gen.Double.Select(GgufValue.FromFloat64), Gen.Bool.Select(GgufValue.FromBool), Text.Select(GgufValue.FromString),
        Gen.Int.Array[0, 20].Select(a => GgufValue.FromArray(a)), Gen.Float.Array[0, 20].Select(a => GgufValue.FromArray(a)),
        Text.Array[0, 8].Select(a => GgufValue.FromArray(a)));

    private static readonly Gen<(string Key, GgufValue Value)[]> Metadata =
        Gen.Select(Text.Where(k => k.Length > 0), Value).Array[0, 12].Select(pairs => pairs.DistinctBy(p => p.Item1).ToArray());

    private static readonly Gen<float[]> Tensor = Gen.Int[1, 4].SelectMany(blocks => Gen.Float.Array[32 * blocks]);

    [Fact]
    public void Any_metadata_and_tensors_written_read_back_equal_in_order()
    {
        int file = 0;
        Gen.Select(Metadata, Tensor.Array[0, 4]).Sample((metadata, tensors) =>
        {
            var writer = new GgufWriter();
            foreach (var (key, value) in metadata) writer.Metadata.Set(key, value);
            for (int i = 0; i < tensors.Length; i++)
                writer.AddTensor($"t{i}", [32, tensors[i].Length / 32], i % 2 == 0 ? GgmlType.F32 : GgmlType.Q8_0, tensors[i]);
            string path = _temp.Path($"p{Interlocked.Increment(ref file)}.gguf");
            writer.Write(path);

            using var read = GgufFile.Open(path);
            Assert.Equal(metadata.Select(p => p.Key), read.Metadata.Keys);
            foreach (var (key, value) in metadata) Assert.Equal(value, read.Metadata[key]);
            Assert.Equal(tensors.Length, read.Tensors.Count);
            for (int i = 0; i < tensors.Length; i++)
            {
                var info = read.GetTensor($"t{i}");
                var expected = new byte[info.ByteSize];
                if (info.Type == GgmlType.F32) MemoryMarshal.AsBytes(tensors[i].AsSpan()).CopyTo(expected);
                else Q8_0Quantizer.Quantize(tensors[i], expected);
                Assert.Equal(expected, read.ReadTensorBytes(info));
            }
        }, iter: 300);
    }

    [Fact]
    public void F16_keeps_eleven_significant_bits_or_saturates_to_infinity_and_decodes_to_a_fixed_point()
    {
        Gen.Float.Sample(x =>
        {
            ushort bits = HalfConversions.FloatToF16(x);
            float back = HalfConversions.F16ToFloat(bits);
            if (float.IsNaN(x)) { Assert.True(float.IsNaN(back)); return; }
            Assert.Equal(bits, HalfConversions.FloatToF16(back));
            if (Math.Abs(x) >= 65520f) { Assert.Equal(x > 0 ? float.PositiveInfinity : float.NegativeInfinity, back); return; }
            // Half a unit in the last place: 2^-11 relative for normal halves, 2^-25 absolute among the subnormals.
            Assert.InRange(Math.Abs((double)back - x), 0, Math.Max(Math.Abs((double)x) * Math.Pow(2, -11), Math.Pow(2, -25)));
        }, iter: 20_000);
    }

    [Fact]
    public void BF16_keeps_eight_significant_bits_or_saturates_to_infinity_and_decodes_to_a_fixed_point()
    {
        const double MaxBf16 = 3.3895313892515355e38; // 0x7F7F
        Gen.Float.Sample(x =>
        {
            ushort bits = HalfConversions.FloatToBF16(x);
            float back = HalfConversions.BF16ToFloat(bits);
            if (float.IsNaN(x)) { Assert.True(float.IsNaN(back)); return; }
            Assert.Equal(bits, HalfConversions.FloatToBF16(back));
            if (float.IsInfinity(back) && !float.IsInfinity(x)) { Assert.True(Math.Abs((double)x) > MaxBf16); return; }
            Assert.InRange(Math.Abs((double)back - x), 0, Math.Max(Math.Abs((double)x) * Math.Pow(2, -8), Math.Pow(2, -134)));
        }, iter: 20_000);
    }

    [Fact]
    public void Q8_0_decodes_every_value_within_just_over_half_a_step_of_its_blocks_scale()
    {
        // Values at any scale from 2^-30 to 2^10, so the F16 block scale also goes subnormal.
        var blocks = Gen.Int[-30, 10].SelectMany(scale => Gen.Float[-1f, 1f].Array[32 * 3].Select(v => v.Select(x => MathF.ScaleB(x, scale)).ToArray()));
        blocks.Sample(values =>
        {
            var bytes = new byte[values.Length / 32 * Q8_0Quantizer.BytesPerBlock];
            Q8_0Quantizer.Quantize(values, bytes);
            var back = new float[values.Length];
            GgmlDequantizer.Dequantize(GgmlType.Q8_0, bytes, back);
            for (int b = 0; b < values.Length / 32; b++)
            {
                double d = values.AsSpan(b * 32, 32).ToArray().Max(MathF.Abs) / 127.0;
                // Rounding to an int8 step costs d/2; storing d as F16 costs up to 127 · d · 2^-11 (or half a subnormal step).
                double bound = d * (0.5 + 127 * Math.Pow(2, -11)) * (1 + 1e-6) + 127 * Math.Pow(2, -25);
                for (int j = b * 32; j < b * 32 + 32; j++) Assert.InRange(Math.Abs((double)back[j] - values[j]), 0, bound);
            }
        }, iter: 3_000);
    }
}
