namespace LlmDistill.Gguf.Tests;

public sealed class TestGgufMetadata
{
    private static GgufMetadata Sample() => new GgufMetadata()
        .SetString("general.architecture", "llama")
        .SetUInt32("llama.context_length", 2048)
        .SetUInt8("small", 7)
        .SetInt32("negative", -5)
        .SetUInt64("huge", ulong.MaxValue)
        .SetFloat32("eps", 1e-5f)
        .SetFloat64("f64", 0.1)
        .SetBool("flag", true)
        .SetStringArray("tokens", ["a", "b"])
        .SetInt32Array("types", [1, 2, 3])
        .SetUInt32Array("u32s", [1, 2])
        .SetFloat32Array("scores", [0.5f, -1f])
        .Set("bytes", GgufValue.FromArray(new byte[] { 1, 200 }))
        .Set("i64s", GgufValue.FromArray(new long[] { 1, long.MaxValue }));

    [Fact]
    public void Typed_getters_return_the_stored_values()
    {
        var m = Sample();
        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.Equal(2048u, m.GetUInt32("llama.context_length"));
        Assert.Equal(1e-5f, m.GetFloat32("eps"));
        Assert.Equal(0.1, m.GetFloat64("f64"));
        Assert.True(m.GetBool("flag"));
        Assert.Equal(["a", "b"], m.GetStringArray("tokens"));
        Assert.Equal([1, 2, 3], m.GetInt32Array("types"));
        Assert.Equal([0.5f, -1f], m.GetFloat32Array("scores"));
        Assert.Equal(GgufValueType.Array, m["tokens"].Type);
        Assert.Equal(GgufValueType.String, m["tokens"].ElementType);
    }

    [Fact]
    public void Integer_getters_widen_and_narrow_when_the_value_fits()
    {
        var m = Sample();
        Assert.Equal(7, m.GetInt32("small"));
        Assert.Equal(7ul, m.GetUInt64("small"));
        Assert.Equal(2048L, m.GetInt64("llama.context_length"));
        Assert.Equal(-5L, m.GetInt64("negative"));
        Assert.Equal([1, 200], m.GetInt32Array("bytes"));
        Assert.Equal([1L, 2L], m.GetInt64Array("u32s"));
        Assert.Equal(0.1f, m.GetFloat32("f64"));
    }

    [Fact]
    public void A_missing_key_throws_KeyNotFound_naming_the_key()
    {
        var e = Assert.Throws<KeyNotFoundException>(() => Sample().GetUInt32("llama.block_count"));
        Assert.Contains("'llama.block_count'", e.Message);
    }

    [Fact]
    public void A_value_of_another_type_throws_InvalidCast_naming_key_and_types()
    {
        var m = Sample();
        var e = Assert.Throws<InvalidCastException>(() => m.GetString("llama.context_length"));
        Assert.Contains("'llama.context_length'", e.Message);
        Assert.Contains("UINT32", e.Message);
        Assert.Contains("STRING", e.Message);
        Assert.Contains("'tokens'", Assert.Throws<InvalidCastException>(() => m.GetInt32Array("tokens")).Message);
        Assert.Contains("'scores'", Assert.Throws<InvalidCastException>(() => m.GetStringArray("scores")).Message);
        Assert.Throws<InvalidCastException>(() => m.GetUInt32("eps"));
        Assert.Throws<InvalidCastException>(() => m.GetFloat32("flag"));
        Assert.Throws<InvalidCastException>(() => m.GetBool("small"));
        Assert.Throws<InvalidCastException>(() => m.GetFloat32Array("types"));
    }

    [Fact]
    public void Values_that_do_not_fit_throw_Overflow_naming_the_key()
    {
        var m = Sample();
        Assert.Contains("'negative'", Assert.Throws<OverflowException>(() => m.GetUInt32("negative")).Message);
        Assert.Throws<OverflowException>(() => m.GetInt64("huge"));
        Assert.Contains("'i64s'", Assert.Throws<OverflowException>(() => m.GetInt32Array("i64s")).Message);
    }

    [Fact]
    public void TryGet_is_false_only_for_a_missing_key_and_still_throws_on_a_wrong_type()
    {
        var m = Sample();
        Assert.True(m.TryGetUInt32("llama.context_length", out var n) && n == 2048);
        Assert.True(m.TryGetString("general.architecture", out var arch) && arch == "llama");
        Assert.True(m.TryGetStringArray("tokens", out var tokens) && tokens.Length == 2);
        Assert.False(m.TryGetUInt32("absent", out _));
        Assert.False(m.TryGetFloat32Array("absent", out _));
        Assert.Throws<InvalidCastException>(() => m.TryGetString("llama.context_length", out _));
    }

    [Fact]
    public void Set_replaces_in_place_and_keeps_insertion_order()
    {
        var m = new GgufMetadata().SetUInt32("a", 1).SetUInt32("b", 2).SetUInt32("c", 3);
        m.SetString("b", "two");
        Assert.Equal(["a", "b", "c"], m.Keys);
        Assert.Equal("two", m.GetString("b"));
        Assert.True(m.Remove("a"));
        Assert.False(m.Remove("a"));
        Assert.Equal(["b", "c"], m.Select(kv => kv.Key));
    }

    [Fact]
    public void Returned_arrays_are_copies()
    {
        var m = Sample();
        m.GetStringArray("tokens")[0] = "changed";
        m.GetInt32Array("types")[0] = 99;
        Assert.Equal("a", m.GetStringArray("tokens")[0]);
        Assert.Equal(1, m.GetInt32Array("types")[0]);
    }

    [Fact]
    public void Values_compare_structurally_and_floats_by_bits()
    {
        Assert.Equal(GgufValue.FromArray(new[] { 1, 2 }), GgufValue.FromArray(new[] { 1, 2 }));
        Assert.NotEqual(GgufValue.FromArray(new[] { 1, 2 }), GgufValue.FromArray(new uint[] { 1, 2 }));
        Assert.Equal(GgufValue.FromFloat32(float.NaN), GgufValue.FromFloat32(float.NaN));
        Assert.NotEqual(GgufValue.FromFloat32(0f), GgufValue.FromFloat32(-0f));
        Assert.Equal("ARRAY[STRING]", GgufValue.FromArray(new[] { "x" }).Describe());
        Assert.Throws<ArgumentException>(() => GgufValue.FromArray(new[] { GgufValue.FromUInt8(1) }));
    }
}
