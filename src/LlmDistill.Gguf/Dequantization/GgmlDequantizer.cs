using System.Runtime.InteropServices;

namespace LlmDistill.Gguf.Dequantization;

/// <summary>
/// Decodes ggml tensor bytes to float for F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q5_K and Q6_K.
/// Other known types can be read as bytes but not decoded here.
/// </summary>
public static class GgmlDequantizer
{
    public static bool IsSupported(GgmlType type) => type is
        GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0 or GgmlType.Q4_0
        or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>
    /// Decodes whole blocks: <paramref name="source"/> must hold a whole number of blocks of <paramref name="type"/>
    /// and <paramref name="destination"/> exactly the elements they encode.
    /// </summary>
    public static void Dequantize(GgmlType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        if (!IsSupported(type))
        {
            throw new NotSupportedException($"dequantizing ggml type {type} to float is not supported");
        }
        var blockSize = GgmlTypeTraits.BlockSize(type);
        var bytesPerBlock = GgmlTypeTraits.BytesPerBlock(type);
        if (source.Length % bytesPerBlock != 0 || (long)source.Length / bytesPerBlock * blockSize != destination.Length)
        {
            throw new ArgumentException(
                $"{source.Length} bytes of {type} do not decode to exactly {destination.Length} elements");
        }
        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(source).CopyTo(destination);
                break;
            case GgmlType.F16:
                HalfConversions.F16ToFloat(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            case GgmlType.BF16:
                HalfConversions.BF16ToFloat(MemoryMarshal.Cast<byte, ushort>(source), destination);
                break;
            case GgmlType.Q8_0:
                LegacyQuantDequantizer.Q8_0(source, destination);
                break;
            case GgmlType.Q4_0:
                LegacyQuantDequantizer.Q4_0(source, destination);
                break;
            case GgmlType.Q4_K:
                KQuantDequantizer.Q4_K(source, destination);
                break;
            case GgmlType.Q5_K:
                KQuantDequantizer.Q5_K(source, destination);
                break;
            case GgmlType.Q6_K:
                KQuantDequantizer.Q6_K(source, destination);
                break;
        }
    }
}
