namespace LlmDistill.Gguf.Tests;

public sealed class TestGgmlTypeTraits
{
    // Block sizes and bytes per block of ggml-common.h, written out per type.
    [Theory]
    [InlineData(GgmlType.F32, 1, 4)]
    [InlineData(GgmlType.F16, 1, 2)]
    [InlineData(GgmlType.BF16, 1, 2)]
    [InlineData(GgmlType.F64, 1, 8)]
    [InlineData(GgmlType.I8, 1, 1)]
    [InlineData(GgmlType.I16, 1, 2)]
    [InlineData(GgmlType.I32, 1, 4)]
    [InlineData(GgmlType.I64, 1, 8)]
    [InlineData(GgmlType.Q4_0, 32, 18)]
    [InlineData(GgmlType.Q4_1, 32, 20)]
    [InlineData(GgmlType.Q5_0, 32, 22)]
    [InlineData(GgmlType.Q5_1, 32, 24)]
    [InlineData(GgmlType.Q8_0, 32, 34)]
    [InlineData(GgmlType.Q8_1, 32, 36)]
    [InlineData(GgmlType.Q2_K, 256, 84)]
    [InlineData(GgmlType.Q3_K, 256, 110)]
    [InlineData(GgmlType.Q4_K, 256, 144)]
    [InlineData(GgmlType.Q5_K, 256, 176)]
    [InlineData(GgmlType.Q6_K, 256, 210)]
    [InlineData(GgmlType.Q8_K, 256, 292)]
    [InlineData(GgmlType.IQ2_XXS, 256, 66)]
    [InlineData(GgmlType.IQ2_XS, 256, 74)]
    [InlineData(GgmlType.IQ2_S, 256, 82)]
    [InlineData(GgmlType.IQ3_XXS, 256, 98)]
    [InlineData(GgmlType.IQ3_S, 256, 110)]
    [InlineData(GgmlType.IQ1_S, 256, 50)]
    [InlineData(GgmlType.IQ1_M, 256, 56)]
    [InlineData(GgmlType.IQ4_NL, 32, 18)]
    [InlineData(GgmlType.IQ4_XS, 256, 136)]
    [InlineData(GgmlType.TQ1_0, 256, 54)]
    [InlineData(GgmlType.TQ2_0, 256, 66)]
    [InlineData(GgmlType.MXFP4, 32, 17)]
    [InlineData(GgmlType.NVFP4, 64, 36)]
    [InlineData(GgmlType.Q1_0, 128, 18)]
    [InlineData(GgmlType.Q2_0, 64, 18)]
    public void Block_geometry_matches_ggml(GgmlType type, int blockSize, int bytesPerBlock)
    {
        Assert.True(GgmlTypeTraits.IsKnown(type));
        Assert.Equal(blockSize, GgmlTypeTraits.BlockSize(type));
        Assert.Equal(bytesPerBlock, GgmlTypeTraits.BytesPerBlock(type));
        Assert.Equal(3L * bytesPerBlock, GgmlTypeTraits.ByteSize(type, 3L * blockSize));
    }

    [Fact]
    public void Every_enum_member_is_known_and_removed_ids_are_not()
    {
        // Count is ggml's sentinel ("not set" in llama.cpp's parameter structs), never a tensor type.
        foreach (var type in Enum.GetValues<GgmlType>().Where(t => t != GgmlType.Count))
        {
            Assert.True(GgmlTypeTraits.IsKnown(type), type.ToString());
        }
        foreach (var removed in new uint[] { 4, 5, 31, 32, 33, 36, 37, 38, 43, 1000, uint.MaxValue })
        {
            Assert.False(GgmlTypeTraits.IsKnown((GgmlType)removed), removed.ToString());
        }
    }

    [Fact]
    public void Byte_size_refuses_partial_blocks_and_overflow()
    {
        Assert.Throws<ArgumentException>(() => GgmlTypeTraits.ByteSize(GgmlType.Q4_K, 255));
        Assert.Throws<OverflowException>(() => GgmlTypeTraits.ByteSize(GgmlType.F64, long.MaxValue));
    }
}
