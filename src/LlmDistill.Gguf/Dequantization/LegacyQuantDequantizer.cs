using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LlmDistill.Gguf.Dequantization;

/// <summary>The 32-element block formats Q8_0 and Q4_0 (layouts from ggml-common.h).</summary>
internal static class LegacyQuantDequantizer
{
    /// <summary>Q8_0 block, 34 bytes: [d: f16][qs: 32 x int8]; x[j] = d * qs[j].</summary>
    public static void Q8_0(ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (Vector128.IsHardwareAccelerated)
        {
            Q8_0Vector(source, destination);
        }
        else
        {
            Q8_0Scalar(source, destination);
        }
    }

    /// <summary>Q8_0 with 128-bit vectors: each block's 32 int8 are widened to 8 vectors of 4 floats.</summary>
    internal static void Q8_0Vector(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 34;
        var qsAll = MemoryMarshal.Cast<byte, sbyte>(source);
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += 32)
        {
            var d = Vector128.Create(HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(source[b..])));
            var y = destination.Slice(o, 32);
            for (var half = 0; half < 2; half++)
            {
                var q = Vector128.Create(qsAll.Slice(b + 2 + 16 * half, 16));
                var (lo, hi) = Vector128.Widen(q);
                var (a, bb) = Vector128.Widen(lo);
                var (c, e) = Vector128.Widen(hi);
                var yh = y.Slice(16 * half, 16);
                (Vector128.ConvertToSingle(a) * d).CopyTo(yh);
                (Vector128.ConvertToSingle(bb) * d).CopyTo(yh[4..]);
                (Vector128.ConvertToSingle(c) * d).CopyTo(yh[8..]);
                (Vector128.ConvertToSingle(e) * d).CopyTo(yh[12..]);
            }
        }
    }

    internal static void Q8_0Scalar(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 34;
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += 32)
        {
            var block = source.Slice(b, bytes);
            var d = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block));
            var y = destination.Slice(o, 32);
            for (var j = 0; j < 32; j++)
            {
                y[j] = (sbyte)block[2 + j] * d;
            }
        }
    }

    /// <summary>
    /// Q4_0 block, 18 bytes: [d: f16][qs: 16 bytes]. Byte j holds element j in its low nibble and element j+16 in
    /// its high nibble; x = (nibble - 8) * d.
    /// </summary>
    public static void Q4_0(ReadOnlySpan<byte> source, Span<float> destination)
    {
        const int bytes = 18;
        for (int b = 0, o = 0; b < source.Length; b += bytes, o += 32)
        {
            var block = source.Slice(b, bytes);
            var d = HalfConversions.F16ToFloat(BinaryPrimitives.ReadUInt16LittleEndian(block));
            var qs = block.Slice(2, 16);
            var y = destination.Slice(o, 32);
            for (var j = 0; j < 16; j++)
            {
                y[j] = ((qs[j] & 0x0F) - 8) * d;
                y[j + 16] = ((qs[j] >> 4) - 8) * d;
            }
        }
    }
}
