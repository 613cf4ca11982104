using System.Buffers.Binary;

namespace LlmDistill.Traces;

/// <summary>
/// The byte layout of the top_ids_bss and top_logprob_gap_bss columns: Parquet's BYTE_STREAM_SPLIT applied to one
/// row's values. For m little-endian values of w bytes, byte b of value i is stored at <c>blob[b × m + i]</c>
/// (all low bytes, then all second bytes, …), so the blob is m × w bytes. Grouping bytes of equal significance
/// lets ZSTD model each plane on its own: the high planes of small ids and gaps are nearly all zeros.
/// </summary>
internal static class RowByteStreamSplit
{
    public static byte[] Split(ReadOnlySpan<int> values)
    {
        int m = values.Length;
        var blob = new byte[m * sizeof(int)];
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        for (int i = 0; i < m; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, values[i]);
            for (int b = 0; b < bytes.Length; b++) blob[b * m + i] = bytes[b];
        }
        return blob;
    }

    public static byte[] Split(ReadOnlySpan<ushort> values)
    {
        int m = values.Length;
        var blob = new byte[m * sizeof(ushort)];
        for (int i = 0; i < m; i++)
        {
            blob[i] = (byte)values[i];
            blob[m + i] = (byte)(values[i] >> 8);
        }
        return blob;
    }

    public static int[] JoinInt32(ReadOnlySpan<byte> blob)
    {
        int m = Count(blob.Length, sizeof(int));
        var values = new int[m];
        for (int i = 0; i < m; i++)
            values[i] = blob[i] | blob[m + i] << 8 | blob[2 * m + i] << 16 | blob[3 * m + i] << 24;
        return values;
    }

    public static ushort[] JoinUInt16(ReadOnlySpan<byte> blob)
    {
        int m = Count(blob.Length, sizeof(ushort));
        var values = new ushort[m];
        for (int i = 0; i < m; i++) values[i] = (ushort)(blob[i] | blob[m + i] << 8);
        return values;
    }

    static int Count(int bytes, int width) => bytes % width == 0 ? bytes / width
        : throw new InvalidDataException($"a byte-stream-split blob of {bytes} bytes is not a whole number of {width}-byte values");
}
