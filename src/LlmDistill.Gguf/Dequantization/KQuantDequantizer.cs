using System.Buffers.Binary;

namespace LlmDistill.Gguf.Dequantization;

/// <summary>
/// K-quants: 256-element super-blocks (layouts from ggml-common.h). Q4_K and Q5_K split a super-block into
/// 8 sub-blocks of 32 with 6-bit scales and mins packed into 12 bytes; Q6_K uses 16 sub-blocks of 16 with
/// signed 8-bit scales.
/// </summary>
internal static class KQuantDequantizer
{
    private const int QkK = 256;

    /// <summary>
    /// Unpacks the 6-bit scale and min of sub-block <paramref name="j"/> (0..7) from the 12 packed bytes.
    /// Bytes 0-3 hold scales 0-3 in their low 6 bits, bytes 4-7 mins 0-3; for sub-blocks 4-7 the low 4 bits come
    /// from byte 8+(j-4) (scale low nibble, min high nibble) and the top 2 bits from the spare bits 6-7 of bytes
    /// j-4 (scale) and j (min).
    /// </summary>
    internal static (int Scale, int Min) ScaleMin(ReadOnlySpan<byte> scales, int j)
    {
        if (j < 4)
        {
            return (scales[j] & 63, scales[j + 4] & 63);
        }
        var scale = (scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4);
        var min = (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4);
        return (scale, min);
    }

    /// <summary>
    /// Q4_K block, 144 bytes: [d: f16][dmin: f16][scales: 12][qs: 128]. Each 64 elements use 32 qs bytes:
    /// low nibbles for the first 32 (sub-block 2i), high nibbles for the next 32 (sub-block 2i+1);
    /// x = d*scale * q - dmin*min.
    /// </summary>
    public static void Q4_K(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 144;
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += QkK)
        {
            var block = source.Slice(b, bytes);
            var d = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block));
            var dmin = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block[2..]));
            var scales = block.Slice(4, 12);
            var qs = block.Slice(16, 128);
            var y = destination.Slice(o, QkK);
            for (var g = 0; g < 4; g++)
            {
                var (sc1, m1) = ScaleMin(scales, 2 * g);
                var (sc2, m2) = ScaleMin(scales, 2 * g + 1);
                float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
                var q = qs.Slice(32 * g, 32);
                var y1 = y.Slice(64 * g, 32);
                var y2 = y.Slice(64 * g + 32, 32);
                for (var l = 0; l < 32; l++)
                {
                    y1[l] = d1 * (q[l] & 0x0F) - min1;
                    y2[l] = d2 * (q[l] >> 4) - min2;
                }
            }
        }
    }

    /// <summary>
    /// Q5_K block, 176 bytes: [d: f16][dmin: f16][scales: 12][qh: 32][qs: 128]. As Q4_K plus a fifth bit:
    /// element l of sub-block s takes bit s of qh[l] as its value 16.
    /// </summary>
    public static void Q5_K(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 176;
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += QkK)
        {
            var block = source.Slice(b, bytes);
            var d = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block));
            var dmin = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block[2..]));
            var scales = block.Slice(4, 12);
            var qh = block.Slice(16, 32);
            var qs = block.Slice(48, 128);
            var y = destination.Slice(o, QkK);
            for (var g = 0; g < 4; g++)
            {
                var (sc1, m1) = ScaleMin(scales, 2 * g);
                var (sc2, m2) = ScaleMin(scales, 2 * g + 1);
                float d1 = d * sc1, min1 = dmin * m1, d2 = d * sc2, min2 = dmin * m2;
                var bit1 = 2 * g;
                var bit2 = 2 * g + 1;
                var q = qs.Slice(32 * g, 32);
                var y1 = y.Slice(64 * g, 32);
                var y2 = y.Slice(64 * g + 32, 32);
                for (var l = 0; l < 32; l++)
                {
                    y1[l] = d1 * ((q[l] & 0x0F) | (((qh[l] >> bit1) & 1) << 4)) - min1;
                    y2[l] = d2 * ((q[l] >> 4) | (((qh[l] >> bit2) & 1) << 4)) - min2;
                }
            }
        }
    }

    /// <summary>
    /// Q6_K block, 210 bytes: [ql: 128][qh: 64][scales: 16 x int8][d: f16]. Each 128-element half uses 64 ql bytes,
    /// 32 qh bytes and 8 scales; element l + 32k (k = 0..3) combines a nibble of ql with bits 2k..2k+1 of qh[l];
    /// x = d * scale * (q6 - 32).
    /// </summary>
    public static void Q6_K(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 210;
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += QkK)
        {
            var block = source.Slice(b, bytes);
            var d = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block[208..]));
            for (var half = 0; half < 2; half++)
            {
                var ql = block.Slice(64 * half, 64);
                var qh = block.Slice(128 + 32 * half, 32);
                var sc = block.Slice(192 + 8 * half, 8);
                var y = destination.Slice(o + 128 * half, 128);
                for (var l = 0; l < 32; l++)
                {
                    var s = l / 16;
                    var h = qh[l];
                    var q1 = ((ql[l] & 0x0F) | ((h & 3) << 4)) - 32;
                    var q2 = ((ql[l + 32] & 0x0F) | (((h >> 2) & 3) << 4)) - 32;
                    var q3 = ((ql[l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
                    var q4 = ((ql[l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
                    y[l] = d * (sbyte)sc[s] * q1;
                    y[l + 32] = d * (sbyte)sc[s + 2] * q2;
                    y[l + 64] = d * (sbyte)sc[s + 4] * q3;
                    y[l + 96] = d * (sbyte)sc[s + 6] * q4;
                }
            }
        }
    }
}
