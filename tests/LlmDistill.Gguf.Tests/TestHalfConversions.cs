namespace LlmDistill.Gguf.Tests;

public sealed class TestHalfConversions
{
    private static float F(uint bits) => BitConverter.UInt32BitsToSingle(bits);

    [Theory]
    [InlineData(0x3c00, 1.0f)]
    [InlineData(0xc000, -2.0f)]
    [InlineData(0x7bff, 65504f)]
    [InlineData(0x0000, 0f)]
    [InlineData(0x3555, 0.333251953125f)]
    [InlineData(0x0400, 6.103515625e-05f)] // smallest normal 2^-14
    [InlineData(0x0001, 5.9604644775390625e-08f)] // smallest subnormal 2^-24
    [InlineData(0x03ff, 6.097555160522461e-05f)] // largest subnormal
    [InlineData(0x7c00, float.PositiveInfinity)]
    [InlineData(0xfc00, float.NegativeInfinity)]
    public void F16_bit_patterns_decode_to_the_exact_float(int bits, float expected)
    {
        Assert.Equal(expected, HalfConversions.F16ToFloat((ushort)bits));
        Assert.Equal((ushort)bits, HalfConversions.FloatToF16(expected));
    }

    [Fact]
    public void F16_negative_zero_and_NaN_keep_their_meaning()
    {
        Assert.Equal(0x8000, HalfConversions.FloatToF16(-0f));
        Assert.True(float.IsNegative(HalfConversions.F16ToFloat(0x8000)) && HalfConversions.F16ToFloat(0x8000) == 0f);
        Assert.True(float.IsNaN(HalfConversions.F16ToFloat(0x7e00)));
        Assert.True(float.IsNaN(HalfConversions.F16ToFloat(0x7c01)));
        var nan = HalfConversions.FloatToF16(float.NaN);
        Assert.True((nan & 0x7c00) == 0x7c00 && (nan & 0x03ff) != 0);
    }

    [Theory]
    [InlineData(65520f, 0x7c00)] // halfway between 65504 and 2^16 rounds to even: infinity
    [InlineData(65519.996f, 0x7bff)] // just below the halfway point stays at 65504
    [InlineData(1e6f, 0x7c00)]
    [InlineData(-1e6f, 0xfc00)]
    [InlineData(1.00048828125f, 0x3c00)] // 1 + 2^-11: tie between 0x3c00 and 0x3c01, even is 0x3c00
    [InlineData(1.00146484375f, 0x3c02)] // 1 + 3*2^-11: tie between 0x3c01 and 0x3c02, even is 0x3c02
    [InlineData(2.98023223876953125e-08f, 0x0000)] // 2^-25: tie between 0 and the smallest subnormal, even is 0
    [InlineData(4.470348358154297e-08f, 0x0001)] // 1.5 * 2^-25 rounds up to the smallest subnormal
    [InlineData(8.940696716308594e-08f, 0x0002)] // 3 * 2^-25: tie between 1 and 2 ulps, even is 2
    [InlineData(1e-10f, 0x0000)] // underflows to zero
    public void F32_to_F16_rounds_to_nearest_even(float value, int expectedBits)
    {
        Assert.Equal((ushort)expectedBits, HalfConversions.FloatToF16(value));
    }

    [Fact]
    public void F32_to_F16_just_off_a_tie_rounds_to_the_nearer_value()
    {
        Assert.Equal(0x3c01, HalfConversions.FloatToF16(F(0x3f801001))); // 1 + 2^-11 + one float ulp
        Assert.Equal(0x3c00, HalfConversions.FloatToF16(F(0x3f800fff))); // 1 + 2^-11 - one float ulp
    }

    [Theory]
    [InlineData(0x3f80, 1.0f)]
    [InlineData(0xc000, -2.0f)]
    [InlineData(0x7f80, float.PositiveInfinity)]
    [InlineData(0xff80, float.NegativeInfinity)]
    [InlineData(0x0001, 9.183549615799121e-41f)] // smallest BF16 subnormal: float bits 0x00010000
    [InlineData(0x477f, 65280f)]
    public void BF16_bit_patterns_decode_to_the_high_half_of_a_float(int bits, float expected)
    {
        Assert.Equal(expected, HalfConversions.BF16ToFloat((ushort)bits));
        Assert.Equal((ushort)bits, HalfConversions.FloatToBF16(expected));
    }

    [Theory]
    [InlineData(0x3f808000u, 0x3f80)] // exact tie, kept half even: stays
    [InlineData(0x3f818000u, 0x3f82)] // exact tie, kept half odd: rounds up to even
    [InlineData(0x3f808001u, 0x3f81)] // just above the tie rounds up
    [InlineData(0x3f807fffu, 0x3f80)] // just below the tie rounds down
    [InlineData(0x477fe000u, 0x4780)] // 65504 rounds up to 65536 in BF16
    [InlineData(0x7f7fffffu, 0x7f80)] // float max rounds to infinity
    [InlineData(0x00008000u, 0x0000)] // subnormal tie rounds to even (zero), not flushed early
    [InlineData(0x00018000u, 0x0002)] // subnormal tie with odd kept half rounds up
    [InlineData(0x80000000u, 0x8000)] // negative zero
    public void F32_to_BF16_rounds_to_nearest_even(uint floatBits, int expectedBits)
    {
        Assert.Equal((ushort)expectedBits, HalfConversions.FloatToBF16(F(floatBits)));
    }

    [Theory]
    [InlineData(0x7fc00000u)]
    [InlineData(0x7f800001u)] // signalling NaN whose payload is all in the dropped half: must not become infinity
    [InlineData(0xffffffffu)]
    public void F32_NaN_to_BF16_stays_NaN(uint floatBits)
    {
        var bf = HalfConversions.FloatToBF16(F(floatBits));
        Assert.True(float.IsNaN(HalfConversions.BF16ToFloat(bf)), $"0x{floatBits:x8} became 0x{bf:x4}");
        Assert.Equal(floatBits >> 31, (uint)bf >> 15);
    }

    [Fact]
    public void Every_F16_value_survives_a_round_trip_through_float()
    {
        for (var bits = 0; bits < 65536; bits++)
        {
            var f = HalfConversions.F16ToFloat((ushort)bits);
            if (float.IsNaN(f))
            {
                continue;
            }
            Assert.Equal((ushort)bits, HalfConversions.FloatToF16(f));
        }
    }

    [Fact]
    public void Span_conversions_match_the_scalar_ones()
    {
        var values = new[] { 1f, -2f, 0.1f, 65504f, 1e-7f, float.NaN };
        var f16 = new ushort[values.Length];
        var bf16 = new ushort[values.Length];
        HalfConversions.FloatToF16(values, f16);
        HalfConversions.FloatToBF16(values, bf16);
        var back16 = new float[values.Length];
        var backBf = new float[values.Length];
        HalfConversions.F16ToFloat(f16, back16);
        HalfConversions.BF16ToFloat(bf16, backBf);
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(HalfConversions.FloatToF16(values[i]), f16[i]);
            Assert.Equal(HalfConversions.FloatToBF16(values[i]), bf16[i]);
            Assert.Equal(HalfConversions.F16ToFloat(f16[i]), back16[i]);
            Assert.Equal(HalfConversions.BF16ToFloat(bf16[i]), backBf[i]);
        }
        Assert.Throws<ArgumentException>(() => HalfConversions.FloatToF16(values, new ushort[2]));
    }
}
