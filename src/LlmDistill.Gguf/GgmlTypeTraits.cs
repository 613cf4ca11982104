namespace LlmDistill.Gguf;

/// <summary>
/// Block geometry of every <see cref="GgmlType"/>: a tensor row of a type is stored as whole blocks of
/// <see cref="BlockSize"/> elements, each taking <see cref="BytesPerBlock"/> bytes
/// (sizes from the block structs of ggml-common.h).
/// </summary>
public static class GgmlTypeTraits
{
    private const int QkK = 256; // elements per K-quant super-block

    // Indexed by type id; (0, 0) marks an id ggml does not (or no longer) define.
    private static readonly (int BlockSize, int BytesPerBlock)[] Table = BuildTable();

    private static (int, int)[] BuildTable()
    {
        var t = new (int, int)[43];
        void Set(GgmlType type, int blockSize, int bytes) => t[(int)type] = (blockSize, bytes);
        Set(GgmlType.F32, 1, 4);
        Set(GgmlType.F16, 1, 2);
        Set(GgmlType.Q4_0, 32, 2 + 16);
        Set(GgmlType.Q4_1, 32, 2 + 2 + 16);
        Set(GgmlType.Q5_0, 32, 2 + 4 + 16);
        Set(GgmlType.Q5_1, 32, 2 + 2 + 4 + 16);
        Set(GgmlType.Q8_0, 32, 2 + 32);
        Set(GgmlType.Q8_1, 32, 2 + 2 + 32);
        Set(GgmlType.Q2_K, QkK, 16 + 64 + 2 + 2);
        Set(GgmlType.Q3_K, QkK, 32 + 64 + 12 + 2);
        Set(GgmlType.Q4_K, QkK, 2 + 2 + 12 + 128);
        Set(GgmlType.Q5_K, QkK, 2 + 2 + 12 + 32 + 128);
        Set(GgmlType.Q6_K, QkK, 128 + 64 + 16 + 2);
        Set(GgmlType.Q8_K, QkK, 4 + 256 + 32);
        Set(GgmlType.IQ2_XXS, QkK, 2 + 64);
        Set(GgmlType.IQ2_XS, QkK, 2 + 64 + 8);
        Set(GgmlType.IQ3_XXS, QkK, 2 + 96);
        Set(GgmlType.IQ1_S, QkK, 2 + 32 + 16);
        Set(GgmlType.IQ4_NL, 32, 2 + 16);
        Set(GgmlType.IQ3_S, QkK, 2 + 64 + 8 + 32 + 4);
        Set(GgmlType.IQ2_S, QkK, 2 + 64 + 8 + 8);
        Set(GgmlType.IQ4_XS, QkK, 2 + 2 + 4 + 128);
        Set(GgmlType.I8, 1, 1);
        Set(GgmlType.I16, 1, 2);
        Set(GgmlType.I32, 1, 4);
        Set(GgmlType.I64, 1, 8);
        Set(GgmlType.F64, 1, 8);
        Set(GgmlType.IQ1_M, QkK, 32 + 16 + 8);
        Set(GgmlType.BF16, 1, 2);
        Set(GgmlType.TQ1_0, QkK, 48 + 4 + 2);
        Set(GgmlType.TQ2_0, QkK, 64 + 2);
        Set(GgmlType.MXFP4, 32, 1 + 16);
        Set(GgmlType.NVFP4, 64, 4 + 32);
        Set(GgmlType.Q1_0, 128, 2 + 16);
        Set(GgmlType.Q2_0, 64, 2 + 16);
        return t;
    }

    /// <summary>True when <paramref name="type"/> is a type id this ggml version defines.</summary>
    public static bool IsKnown(GgmlType type) => (uint)type < (uint)Table.Length && Table[(int)type].BlockSize != 0;

    /// <summary>Elements per block (1 for plain types, 32 for Q8_0, 256 for K-quants).</summary>
    public static int BlockSize(GgmlType type) => Lookup(type).BlockSize;

    /// <summary>Bytes one block takes on disk.</summary>
    public static int BytesPerBlock(GgmlType type) => Lookup(type).BytesPerBlock;

    /// <summary>
    /// Bytes <paramref name="elementCount"/> elements take; the count must be a multiple of the block size.
    /// Throws <see cref="OverflowException"/> when the size does not fit a long.
    /// </summary>
    public static long ByteSize(GgmlType type, long elementCount)
    {
        var (blockSize, bytes) = Lookup(type);
        if (elementCount < 0 || elementCount % blockSize != 0)
        {
            throw new ArgumentException(
                $"{elementCount} elements of {type} are not a whole number of {blockSize}-element blocks", nameof(elementCount));
        }
        return checked(elementCount / blockSize * bytes);
    }

    private static (int BlockSize, int BytesPerBlock) Lookup(GgmlType type) =>
        IsKnown(type) ? Table[(int)type] : throw new ArgumentOutOfRangeException(nameof(type), type, "not a ggml type id this library knows");
}
