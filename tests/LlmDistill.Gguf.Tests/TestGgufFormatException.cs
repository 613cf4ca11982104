namespace LlmDistill.Gguf.Tests;

/// <summary>Specific corruptions: the exception names the right field and the byte offset where it starts.</summary>
public sealed class TestGgufFormatException : IDisposable
{
    private readonly TempFiles _temp = new();

    public void Dispose() => _temp.Dispose();

    private GgufFormatException Refuse(byte[] bytes)
    {
        var path = _temp.Path("bad.gguf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GgufFormatException>(() => GgufFile.Open(path).Dispose());
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"GGUF file '{path}': {e.Field}", e.Message);
        Assert.Contains($"at offset {e.Offset}", e.Message);
        return e;
    }

    private static RawGguf OneTensorPrefix(out long tensorInfoStart) =>
        Prefix(new RawGguf().Header(tensors: 1, kvs: 1).KvString("general.architecture", "llama"), out tensorInfoStart);

    private static RawGguf Prefix(RawGguf raw, out long position)
    {
        position = raw.Position;
        return raw;
    }

    [Fact]
    public void A_huge_tensor_count_names_the_field_and_offset()
    {
        var e = Refuse(new RawGguf().Header(tensors: long.MaxValue, kvs: 0).ToArray());
        Assert.Equal("tensor_count", e.Field);
        Assert.Equal(8, e.Offset);
        Assert.EndsWith("': tensor_count 9223372036854775807 at offset 8 is larger than the file allows", e.Message);
    }

    [Fact]
    public void Reading_a_truncated_header_names_the_field_and_offset()
    {
        var full = new RawGguf().Header(tensors: 0, kvs: 0).ToArray();
        var e = Refuse(full[..12]);
        Assert.Equal("tensor_count", e.Field);
        Assert.Equal(8, e.Offset);
        Assert.Contains("truncated", e.Message);

        e = Refuse(full[..20]);
        Assert.Equal("metadata_kv_count", e.Field);
        Assert.Equal(16, e.Offset);

        e = Refuse(full[..2]);
        Assert.Equal("magic", e.Field);
        Assert.Equal(0, e.Offset);
    }

    [Fact]
    public void A_wrong_magic_or_version_is_refused()
    {
        var e = Refuse(new RawGguf().Bytes("GGML"u8).U32(3).U64(0).U64(0).ToArray());
        Assert.Equal(("magic", 0L), (e.Field, e.Offset));

        e = Refuse(new RawGguf().Header(0, 0, version: 1).ToArray());
        Assert.Equal(("version", 4L), (e.Field, e.Offset));
        Assert.Contains("GGUFv1", e.Message);

        e = Refuse(new RawGguf().Header(0, 0, version: 4).ToArray());
        Assert.Equal(("version", 4L), (e.Field, e.Offset));
    }

    [Fact]
    public void A_string_length_of_2_to_the_60_is_refused_without_allocating_it()
    {
        var bytes = new RawGguf().Header(tensors: 0, kvs: 1).U64(1UL << 60).Bytes("k"u8).Zeros(16).ToArray();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var e = Refuse(bytes);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Equal(("metadata key #0", 24L), (e.Field, e.Offset));

        var value = new RawGguf().Header(tensors: 0, kvs: 1).Str("name").U32((uint)GgufValueType.String);
        var valueAt = value.Position;
        e = Refuse(value.U64(1UL << 60).ToArray());
        Assert.Equal(("metadata 'name' value", valueAt), (e.Field, e.Offset));
    }

    [Fact]
    public void A_huge_array_length_names_the_array()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("tokenizer.ggml.tokens")
            .U32((uint)GgufValueType.Array).U32((uint)GgufValueType.String);
        var at = raw.Position;
        var e = Refuse(raw.U64(ulong.MaxValue).ToArray());
        Assert.Equal(("metadata 'tokenizer.ggml.tokens' array length", at), (e.Field, e.Offset));
    }

    [Fact]
    public void An_unknown_value_type_is_refused()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("k");
        var at = raw.Position;
        var e = Refuse(raw.U32(13).U32(0).ToArray());
        Assert.Equal(("metadata 'k' value type", at), (e.Field, e.Offset));
    }

    [Fact]
    public void Duplicate_keys_and_tensor_names_are_refused()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 2).KvU32("a", 1);
        var second = raw.Position;
        var e = Refuse(raw.KvU32("a", 2).ToArray());
        Assert.Equal(("metadata key #1", second), (e.Field, e.Offset));

        var t = new RawGguf().Header(tensors: 2, kvs: 0).TensorInfo("w", [1], 0, 0);
        var secondTensor = t.Position;
        e = Refuse(t.TensorInfo("w", [1], 0, 32).PadTo(32).Zeros(64).ToArray());
        Assert.Equal(("tensor #1 name", secondTensor), (e.Field, e.Offset));
    }

    [Fact]
    public void Five_dimensions_are_refused_at_n_dims()
    {
        var raw = OneTensorPrefix(out var start).Str("w");
        var at = raw.Position;
        var e = Refuse(raw.U32(5).U64(1).U64(1).U64(1).U64(1).U64(1).U32(0).U64(0).PadTo(32).Zeros(32).ToArray());
        Assert.Equal(("tensor 'w' n_dims", at), (e.Field, e.Offset));
        Assert.True(at > start);
    }

    [Fact]
    public void A_zero_dimension_is_refused()
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(2).U64(4);
        var at = raw.Position;
        var e = Refuse(raw.U64(0).U32(0).U64(0).PadTo(32).Zeros(32).ToArray());
        Assert.Equal(("tensor 'w' dimension 1", at), (e.Field, e.Offset));
    }

    [Fact]
    public void An_element_count_overflow_is_refused()
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(2).U64(1UL << 40);
        var at = raw.Position;
        var e = Refuse(raw.U64(1UL << 40).U32(0).U64(0).PadTo(32).Zeros(32).ToArray());
        Assert.Equal(("tensor 'w' dimension 1", at), (e.Field, e.Offset));
    }

    [Theory]
    [InlineData(4u)] // removed Q4_2
    [InlineData(31u)] // removed Q4_0_4_4
    [InlineData(43u)] // GGML_TYPE_COUNT
    public void An_unknown_ggml_type_is_refused(uint type)
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(1).U64(32);
        var at = raw.Position;
        var e = Refuse(raw.U32(type).U64(0).PadTo(32).Zeros(256).ToArray());
        Assert.Equal(("tensor 'w' type", at), (e.Field, e.Offset));
    }

    [Fact]
    public void A_row_that_is_not_a_whole_number_of_blocks_is_refused()
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(2).U64(16).U64(2);
        var at = raw.Position;
        var e = Refuse(raw.U32((uint)GgmlType.Q8_0).U64(0).PadTo(32).Zeros(256).ToArray());
        Assert.Equal(("tensor 'w' type", at), (e.Field, e.Offset));
    }

    [Fact]
    public void A_misaligned_tensor_offset_is_refused()
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(1).U64(4).U32(0);
        var at = raw.Position;
        var e = Refuse(raw.U64(8).PadTo(32).Zeros(64).ToArray());
        Assert.Equal(("tensor 'w' offset", at), (e.Field, e.Offset));
        Assert.Contains("alignment 32", e.Message);
    }

    [Fact]
    public void Tensor_data_past_the_end_of_the_file_is_refused()
    {
        var raw = OneTensorPrefix(out _).Str("w").U32(1).U64(16).U32(0);
        var at = raw.Position;
        var e = Refuse(raw.U64(0).PadTo(32).Zeros(63).ToArray()); // 64 bytes needed
        Assert.Equal(("tensor 'w' offset", at), (e.Field, e.Offset));

        raw = OneTensorPrefix(out _).Str("w").U32(1).U64(1).U32(0);
        at = raw.Position;
        e = Refuse(raw.U64(ulong.MaxValue - 31).PadTo(32).Zeros(64).ToArray());
        Assert.Equal(("tensor 'w' offset", at), (e.Field, e.Offset));
    }

    [Fact]
    public void Overlapping_tensors_are_refused()
    {
        var raw = new RawGguf().Header(tensors: 2, kvs: 0).TensorInfo("a", [16], 0, 0).Str("b").U32(1).U64(16).U32(0);
        var at = raw.Position;
        var e = Refuse(raw.U64(32).PadTo(32).Zeros(128).ToArray());
        Assert.Equal(("tensor 'b' offset", at), (e.Field, e.Offset));
        Assert.Contains("overlaps tensor 'a'", e.Message);
    }

    [Fact]
    public void A_bad_alignment_value_or_type_is_refused()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("general.alignment").U32((uint)GgufValueType.UInt32);
        var at = raw.Position;
        var e = Refuse(raw.U32(48).ToArray());
        Assert.Equal(("general.alignment", at), (e.Field, e.Offset));

        raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("general.alignment").U32((uint)GgufValueType.UInt64);
        at = raw.Position;
        e = Refuse(raw.U64(32).ToArray());
        Assert.Equal(("general.alignment", at), (e.Field, e.Offset));

        raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("general.alignment").U32((uint)GgufValueType.UInt32);
        e = Refuse(raw.U32(0).ToArray());
        Assert.Equal("general.alignment", e.Field);
    }

    [Fact]
    public void Deeply_nested_arrays_are_refused()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1).Str("deep").U32((uint)GgufValueType.Array);
        for (var i = 0; i < 20; i++)
        {
            raw.U32((uint)GgufValueType.Array).U64(1);
        }
        raw.U32((uint)GgufValueType.UInt8).U64(0);
        var e = Refuse(raw.ToArray());
        Assert.Contains("deeper than", e.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_key_is_refused()
    {
        var raw = new RawGguf().Header(tensors: 0, kvs: 1);
        var at = raw.Position;
        var e = Refuse(raw.U64(2).Bytes([0xC3, 0x28]).U32(0).Bytes([0]).ToArray());
        Assert.Equal(("metadata key #0", at), (e.Field, e.Offset));
    }

    [Fact]
    public void A_tensor_name_over_64_bytes_is_refused()
    {
        var raw = OneTensorPrefix(out var at);
        var e = Refuse(raw.Str(new string('x', 65)).U32(1).U64(1).U32(0).U64(0).PadTo(32).Zeros(32).ToArray());
        Assert.Equal(("tensor #0 name", at), (e.Field, e.Offset));
    }
}
