namespace LlmDistill.Gguf;

/// <summary>
/// Bit-level conversions between float and the two 16-bit float formats ggml stores:
/// IEEE binary16 (F16) and bfloat16 (BF16, the top half of a float32).
/// </summary>
public static class HalfConversions
{
    // All 65536 F16 bit patterns expanded once (256 KiB), so dequantizing F16 and the F16 block scales is a load.
    private static readonly float[] F16Table = BuildF16Table();

    private static float[] BuildF16Table()
    {
        var table = new float[65536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (float)BitConverter.UInt16BitsToHalf((ushort)i);
        }
        return table;
    }

    /// <summary>Exact F16 → float (every F16 value, subnormals included, is representable in float).</summary>
    public static float F16ToFloat(ushort bits) => F16Table[bits];

    /// <summary>Float → F16 with round-to-nearest-even; overflow gives ±inf, NaN stays NaN.</summary>
    public static ushort FloatToF16(float value) => BitConverter.HalfToUInt16Bits((Half)value);

    /// <summary>Exact BF16 → float: the 16 bits become the high half of a float32.</summary>
    public static float BF16ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    /// <summary>
    /// Float → BF16 with round-to-nearest-even on the dropped 16 bits; NaNs are kept NaN (quiet bit forced)
    /// instead of possibly rounding to infinity. Subnormals are rounded, not flushed, as ggml does.
    /// </summary>
    public static ushort FloatToBF16(float value)
    {
        var u = BitConverter.SingleToUInt32Bits(value);
        if ((u & 0x7fff_ffffu) > 0x7f80_0000u)
        {
            return (ushort)((u >> 16) | 0x40);
        }
        // Adding 0x7fff plus the lowest kept bit carries into the kept half exactly when the dropped
        // half is above one half ulp, or equal to it with an odd kept half (ties to even).
        return (ushort)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
    }

    public static void F16ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        var table = F16Table;
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = table[source[i]];
        }
    }

    public static void BF16ToFloat(ReadOnlySpan<ushort> source, Span<float> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = BitConverter.UInt32BitsToSingle((uint)source[i] << 16);
        }
    }

    public static void FloatToF16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = BitConverter.HalfToUInt16Bits((Half)source[i]);
        }
    }

    public static void FloatToBF16(ReadOnlySpan<float> source, Span<ushort> destination)
    {
        CheckLengths(source.Length, destination.Length);
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = FloatToBF16(source[i]);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"source has {source} elements but destination has {destination}");
        }
    }
}
