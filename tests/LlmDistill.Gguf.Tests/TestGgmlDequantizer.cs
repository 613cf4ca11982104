using LlmDistill.Gguf.Dequantization;

namespace LlmDistill.Gguf.Tests;

/// <summary>
/// Blocks are built byte by byte here and the expected floats come from the block formulas written out in the
/// test (per element, by index arithmetic), not from the library.
/// </summary>
public sealed class TestGgmlDequantizer
{
    // F16 bit patterns of exactly representable scales.
    private const ushort Half0_5 = 0x3800;
    private const ushort Half2 = 0x4000;
    private const ushort Half0_25 = 0x3400;
    private const ushort Half0_0625 = 0x2c00;
    private const ushort HalfMinus1_5 = 0xbe00;

    private static void PutHalf(byte[] block, int at, ushort bits)
    {
        block[at] = (byte)bits;
        block[at + 1] = (byte)(bits >> 8);
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private static float[] Decode(GgmlType type, byte[] bytes, int elements)
    {
        var y = new float[elements];
        GgmlDequantizer.Dequantize(type, bytes, y);
        return y;
    }

    [Fact]
    public void Q8_0_is_d_times_the_signed_byte()
    {
        var bytes = new byte[2 * 34];
        PutHalf(bytes, 0, Half0_5);
        PutHalf(bytes, 34, HalfMinus1_5);
        for (var j = 0; j < 32; j++)
        {
            bytes[2 + j] = (byte)(j * 8); // covers 0..248, i.e. int8 -128..120 after the sign wraps
            bytes[36 + j] = (byte)(255 - j);
        }
        var y = Decode(GgmlType.Q8_0, bytes, 64);
        for (var j = 0; j < 32; j++)
        {
            var q0 = j * 8 >= 128 ? j * 8 - 256 : j * 8;
            Assert.Equal(0.5f * q0, y[j]);
            Assert.Equal(-1.5f * (-1 - j), y[32 + j]);
        }
    }

    [Fact]
    public void Q8_0_vector_and_scalar_paths_agree_bit_for_bit()
    {
        var bytes = RandomBytes(40 * 34, seed: 9);
        for (var b = 0; b < 40; b++)
        {
            PutHalf(bytes, b * 34, (ushort)(0x2000 + b * 97)); // assorted finite scales
        }
        var vector = new float[40 * 32];
        var scalar = new float[40 * 32];
        LegacyQuantDequantizer.Q8_0Vector(bytes, vector);
        LegacyQuantDequantizer.Q8_0Scalar(bytes, scalar);
        TestGgufWriter.AssertBitsEqual(scalar, vector);
    }

    [Fact]
    public void Q4_0_puts_low_nibbles_first_and_high_nibbles_second_minus_8()
    {
        var bytes = new byte[2 * 18];
        PutHalf(bytes, 0, Half2);
        PutHalf(bytes, 18, Half0_25);
        for (var j = 0; j < 16; j++)
        {
            bytes[2 + j] = (byte)(j | ((15 - j) << 4));
            bytes[20 + j] = (byte)(((j * 7) & 15) | (((j * 3) & 15) << 4));
        }
        var y = Decode(GgmlType.Q4_0, bytes, 64);
        for (var j = 0; j < 16; j++)
        {
            Assert.Equal((j - 8) * 2f, y[j]);
            Assert.Equal((15 - j - 8) * 2f, y[16 + j]);
            Assert.Equal((((j * 7) & 15) - 8) * 0.25f, y[32 + j]);
            Assert.Equal((((j * 3) & 15) - 8) * 0.25f, y[48 + j]);
        }
    }

    // Six-bit scales and mins for the 8 sub-blocks: every value uses the high bits somewhere, and sub-blocks 4-7
    // (whose top 2 bits live in spare bits of bytes 0-7) include 0, 1, 2 and 3 as their top bits.
    private static readonly int[] Scales = [1, 17, 33, 63, 5, 40, 58, 23];
    private static readonly int[] Mins = [2, 60, 31, 7, 49, 12, 63, 36];

    /// <summary>The 12-byte packing of Q4_K/Q5_K, written in the packing direction.</summary>
    private static byte[] PackScales(int[] sc, int[] m)
    {
        var p = new byte[12];
        for (var j = 0; j < 4; j++)
        {
            p[j] = (byte)(sc[j] | ((sc[j + 4] >> 4) << 6));
            p[j + 4] = (byte)(m[j] | ((m[j + 4] >> 4) << 6));
            p[j + 8] = (byte)((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
        }
        return p;
    }

    [Fact]
    public void K_quant_scale_packing_is_decoded_for_all_8_sub_blocks()
    {
        // Hand-packed: byte 0 = 0b11_000001 → scale 0 = 1 and top bits 3 of scale 4;
        // byte 4 = 0b10_000010 → min 0 = 2 and top bits 2 of min 4; byte 8 = 0x5A → scale 4 low 0xA, min 4 low 0x5.
        var packed = new byte[12];
        packed[0] = 0b11_000001;
        packed[4] = 0b10_000010;
        packed[8] = 0x5A;
        Assert.Equal((1, 2), KQuantDequantizer.ScaleMin(packed, 0));
        Assert.Equal((0x3A, 0x25), KQuantDequantizer.ScaleMin(packed, 4));

        var p = PackScales(Scales, Mins);
        for (var s = 0; s < 8; s++)
        {
            Assert.Equal((Scales[s], Mins[s]), KQuantDequantizer.ScaleMin(p, s));
        }
    }

    [Fact]
    public void Q4_K_is_d_scale_q_minus_dmin_min_per_32_element_sub_block()
    {
        const int bpb = 144;
        var bytes = new byte[2 * bpb];
        var qs = RandomBytes(2 * 128, seed: 1);
        int[][] sc = [Scales, Scales.Reverse().ToArray()];
        int[][] mn = [Mins, Mins.Reverse().ToArray()];
        ushort[] d = [Half0_5, Half0_0625];
        ushort[] dmin = [Half0_25, Half2];
        float[] dF = [0.5f, 0.0625f];
        float[] dminF = [0.25f, 2f];
        for (var b = 0; b < 2; b++)
        {
            PutHalf(bytes, b * bpb, d[b]);
            PutHalf(bytes, b * bpb + 2, dmin[b]);
            PackScales(sc[b], mn[b]).CopyTo(bytes, b * bpb + 4);
            Array.Copy(qs, b * 128, bytes, b * bpb + 16, 128);
        }

        var y = Decode(GgmlType.Q4_K, bytes, 512);
        for (var e = 0; e < 512; e++)
        {
            int b = e / 256, i = e % 256, s = i / 32, within = i % 32;
            var qByte = qs[b * 128 + (s / 2) * 32 + within];
            var q = s % 2 == 0 ? qByte & 15 : qByte >> 4;
            var expected = dF[b] * sc[b][s] * q - dminF[b] * mn[b][s];
            Assert.True(expected == y[e], $"element {e}: expected {expected}, got {y[e]}");
        }
    }

    [Fact]
    public void Q5_K_adds_bit_s_of_qh_as_16_for_sub_block_s()
    {
        const int bpb = 176;
        var bytes = new byte[2 * bpb];
        var qs = RandomBytes(2 * 128, seed: 2);
        var qh = RandomBytes(2 * 32, seed: 3);
        int[][] sc = [Scales, Scales.Reverse().ToArray()];
        int[][] mn = [Mins, Mins.Reverse().ToArray()];
        float[] dF = [2f, 0.25f];
        float[] dminF = [0.0625f, 0.5f];
        for (var b = 0; b < 2; b++)
        {
            PutHalf(bytes, b * bpb, b == 0 ? Half2 : Half0_25);
            PutHalf(bytes, b * bpb + 2, b == 0 ? Half0_0625 : Half0_5);
            PackScales(sc[b], mn[b]).CopyTo(bytes, b * bpb + 4);
            Array.Copy(qh, b * 32, bytes, b * bpb + 16, 32);
            Array.Copy(qs, b * 128, bytes, b * bpb + 48, 128);
        }

        var y = Decode(GgmlType.Q5_K, bytes, 512);
        for (var e = 0; e < 512; e++)
        {
            int b = e / 256, i = e % 256, s = i / 32, within = i % 32;
            var qByte = qs[b * 128 + (s / 2) * 32 + within];
            var low = s % 2 == 0 ? qByte & 15 : qByte >> 4;
            var high = (qh[b * 32 + within] >> s) & 1;
            var q = low + 16 * high;
            var expected = dF[b] * sc[b][s] * q - dminF[b] * mn[b][s];
            Assert.True(expected == y[e], $"element {e}: expected {expected}, got {y[e]}");
        }
    }

    [Fact]
    public void Q6_K_combines_4_low_and_2_high_bits_minus_32_with_signed_scales()
    {
        const int bpb = 210;
        var bytes = new byte[2 * bpb];
        var ql = RandomBytes(2 * 128, seed: 4);
        var qh = RandomBytes(2 * 64, seed: 5);
        sbyte[] scalesA = [-128, 127, -1, 0, 5, -77, 33, -32, 1, 2, -3, 64, -64, 100, -100, 9];
        var scalesB = scalesA.Select(s => (sbyte)(s == -128 ? 127 : -s)).ToArray();
        sbyte[][] sc = [scalesA, scalesB];
        float[] dF = [0.0625f, -1.5f];
        for (var b = 0; b < 2; b++)
        {
            Array.Copy(ql, b * 128, bytes, b * bpb, 128);
            Array.Copy(qh, b * 64, bytes, b * bpb + 128, 64);
            for (var k = 0; k < 16; k++)
            {
                bytes[b * bpb + 192 + k] = (byte)sc[b][k];
            }
            PutHalf(bytes, b * bpb + 208, b == 0 ? Half0_0625 : HalfMinus1_5);
        }

        var y = Decode(GgmlType.Q6_K, bytes, 512);
        for (var e = 0; e < 512; e++)
        {
            int b = e / 256, i = e % 256, half = i / 128, r = i % 128, quarter = r / 32, l = r % 32;
            var lowByte = ql[b * 128 + 64 * half + l + 32 * (quarter & 1)];
            var low = quarter < 2 ? lowByte & 15 : lowByte >> 4;
            var high = (qh[b * 64 + 32 * half + l] >> (2 * quarter)) & 3;
            var q = (low | (high << 4)) - 32;
            var scale = sc[b][8 * half + l / 16 + 2 * quarter];
            var expected = dF[b] * scale * q;
            Assert.True(expected == y[e], $"element {e}: expected {expected}, got {y[e]}");
        }
    }

    [Fact]
    public void Plain_types_decode_their_bit_patterns()
    {
        byte[] f16 = [0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00];
        Assert.Equal([1f, -2f, 65504f, 5.9604644775390625e-08f], Decode(GgmlType.F16, f16, 4));
        byte[] bf16 = [0x80, 0x3f, 0x00, 0xc0, 0x80, 0x7f];
        Assert.Equal([1f, -2f, float.PositiveInfinity], Decode(GgmlType.BF16, bf16, 3));
        var f32 = BitConverter.GetBytes(3.5f).Concat(BitConverter.GetBytes(-0.125f)).ToArray();
        Assert.Equal([3.5f, -0.125f], Decode(GgmlType.F32, f32, 2));
    }

    [Theory]
    [InlineData(GgmlType.Q2_K)]
    [InlineData(GgmlType.Q4_1)]
    [InlineData(GgmlType.IQ4_XS)]
    [InlineData(GgmlType.I32)]
    public void Known_types_without_a_decoder_throw_NotSupported_naming_the_type(GgmlType type)
    {
        var bytes = new byte[GgmlTypeTraits.BytesPerBlock(type)];
        var e = Assert.Throws<NotSupportedException>(() => Decode(type, bytes, GgmlTypeTraits.BlockSize(type)));
        Assert.Contains(type.ToString(), e.Message);
        Assert.False(GgmlDequantizer.IsSupported(type));
    }

    [Fact]
    public void Mismatched_lengths_are_refused()
    {
        Assert.Throws<ArgumentException>(() => GgmlDequantizer.Dequantize(GgmlType.Q8_0, new byte[33], new float[32]));
        Assert.Throws<ArgumentException>(() => GgmlDequantizer.Dequantize(GgmlType.Q8_0, new byte[34], new float[31]));
    }
}
