using System.Buffers.Binary;

namespace LlmDistill.Gguf.Quantization;

/// <summary>
/// Q8_0 as ggml's reference quantize_row_q8_0: per 32-element block, d = max|x| / 127 stored as F16,
/// then q = round(x / d) (half away from zero) as int8. Block layout: [d: f16][qs: 32 x int8] = 34 bytes.
/// </summary>
public static class Q8_0Quantizer
{
    public const int BlockSize = 32;
    public const int BytesPerBlock = 34;

    public static void Quantize(ReadOnlySpan<float> source, Span<byte> destination)
    {
        var blocks = source.Length / BlockSize;
        if (source.Length % BlockSize != 0 || destination.Length != blocks * BytesPerBlock)
        {
            throw new ArgumentException($"Q8_0 needs whole 32-element blocks and {BytesPerBlock} bytes per block");
        }
        for (var b = 0; b < blocks; b++)
        {
            var x = source.Slice(b * BlockSize, BlockSize);
            var block = destination.Slice(b * BytesPerBlock, BytesPerBlock);
            var amax = 0f;
            foreach (var v in x)
            {
                amax = MathF.Max(amax, MathF.Abs(v));
            }
            var d = amax / 127f;
            // The inverse uses the float d, not the F16-rounded one, exactly as the reference does.
            var id = d != 0f ? 1f / d : 0f;
            BinaryPrimitives.WriteUInt16LittleEndian(block, HalfConversions.FloatToF16(d));
            for (var j = 0; j < BlockSize; j++)
            {
                block[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
            }
        }
    }
}
