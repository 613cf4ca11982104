using System.Runtime.InteropServices;

namespace LlmDistill.Gguf.Quantization;

/// <summary>
/// Encodes float data into the ggml types the writer produces: F32, F16, BF16 and Q8_0.
/// </summary>
public static class GgmlQuantizer
{
    public static bool IsSupported(GgmlType type) =>
        type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0;

    /// <summary>
    /// Encodes <paramref name="source"/> (a whole number of blocks) into <paramref name="destination"/>, which must be
    /// exactly <see cref="GgmlTypeTraits.ByteSize"/> bytes long.
    /// </summary>
    public static void Quantize(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (!IsSupported(type))
        {
            throw new NotSupportedException($"quantizing to ggml type {type} is not supported; use F32, F16, BF16 or Q8_0");
        }
        var expected = GgmlTypeTraits.ByteSize(type, source.Length);
        if (destination.Length != expected)
        {
            throw new ArgumentException(
                $"{source.Length} elements of {type} take {expected} bytes but destination has {destination.Length}", nameof(destination));
        }
        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.AsBytes(source).CopyTo(destination);
                break;
            case GgmlType.F16:
                HalfConversions.FloatToF16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case GgmlType.BF16:
                HalfConversions.FloatToBF16(source, MemoryMarshal.Cast<byte, ushort>(destination));
                break;
            case GgmlType.Q8_0:
                Q8_0Quantizer.Quantize(source, destination);
                break;
        }
    }
}
