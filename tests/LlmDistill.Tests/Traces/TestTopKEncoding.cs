using CsCheck;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

public class TestTopKEncoding
{
    [Fact]
    public void Any_logprob_down_to_minus_1000_nats_decodes_within_half_a_step()
    {
        for (double lp = 0; lp > -1000; lp -= 0.0013)
        {
            float original = (float)lp;
            double error = Math.Abs(TopKEncoding.DecodeLogprob(TopKEncoding.EncodeLogprob(original)) - (double)original);
            Assert.InRange(error, 0, TopKEncoding.MaxLogprobError + 1e-9);
        }
        Assert.Equal(1.0 / 128, TopKEncoding.MaxLogprobError);
    }

    [Fact]
    public void Codes_saturate_at_the_ends_of_their_range()
    {
        Assert.Equal(0, TopKEncoding.EncodeLogprob(1e-7f));
        Assert.Equal(TopKEncoding.MaxCode, TopKEncoding.EncodeLogprob(-5000f));
        Assert.Equal(TopKEncoding.MaxCode, TopKEncoding.EncodeLogprob(float.NegativeInfinity));
        Assert.Equal(TopKEncoding.MaxCode, TopKEncoding.EncodeTailMass(0f));
        Assert.Equal(0f, TopKEncoding.DecodeTailMass(TopKEncoding.MaxCode));
        Assert.Equal(1f, TopKEncoding.DecodeTailMass(TopKEncoding.EncodeTailMass(1f)));
        Assert.Throws<ArgumentException>(() => TopKEncoding.EncodeLogprob(float.NaN));
    }

    [Fact]
    public void Tail_mass_keeps_its_relative_error_below_one_percent()
    {
        foreach (float tail in new[] { 1f, 0.5f, 0.031f, 1e-3f, 2.5e-6f, 1e-12f })
        {
            float decoded = TopKEncoding.DecodeTailMass(TopKEncoding.EncodeTailMass(tail));
            Assert.InRange(Math.Abs(decoded - (double)tail) / tail, 0, Math.Exp(1.0 / 128) - 1 + 1e-6);
        }
    }

    [Fact]
    public void Top_logprobs_are_stored_as_non_negative_gaps_whose_running_sums_give_each_value_back()
    {
        float[] logprobs = [-0.01f, -4.75f, -4.75f, -9f, -0.2f, -2.5f, -2.51f, -30f];
        var gaps = new ushort[logprobs.Length];
        TopKEncoding.EncodeTopLogprobs(logprobs, 4, gaps);

        Assert.Equal(new ushort[] { 1, 303, 0, 272, 13, 147, 1, 1759 }, gaps);
        var decoded = new float[logprobs.Length];
        TopKEncoding.DecodeTopLogprobs(gaps, 4, decoded);
        for (int i = 0; i < logprobs.Length; i++)
            Assert.Equal(-Math.Round(-logprobs[i] * 64.0) / 64, decoded[i], 6);
    }

    [Fact]
    public void Rows_that_are_not_descending_or_not_whole_are_refused()
    {
        var gaps = new ushort[4];
        Assert.Throws<ArgumentException>(() => TopKEncoding.EncodeTopLogprobs([-2f, -1f, -0.5f, -3f], 2, gaps));
        Assert.Throws<ArgumentException>(() => TopKEncoding.EncodeTopLogprobs([-1f, -2f, -3f], 2, gaps.AsSpan(0, 3)));
        Assert.Throws<InvalidDataException>(() => TopKEncoding.DecodeTopLogprobs([ushort.MaxValue, 1], 2, new float[2]));
    }

    [Fact]
    public void Byte_stream_split_puts_bytes_of_equal_significance_together_and_back()
    {
        int[] ids = [1, 258, 151_643, -1];
        byte[] blob = RowByteStreamSplit.Split(ids);

        Assert.Equal(new byte[] { 1, 2, 0x5B, 0xFF, 0, 1, 0x50, 0xFF, 0, 0, 2, 0xFF, 0, 0, 0, 0xFF }, blob);
        Assert.Equal(ids, RowByteStreamSplit.JoinInt32(blob));
        ushort[] codes = [0, 300, 65535];
        Assert.Equal(new byte[] { 0, 44, 255, 0, 1, 255 }, RowByteStreamSplit.Split(codes));
        Assert.Equal(codes, RowByteStreamSplit.JoinUInt16(RowByteStreamSplit.Split(codes)));
        Assert.Empty(RowByteStreamSplit.JoinInt32([]));
        Assert.Throws<InvalidDataException>(() => RowByteStreamSplit.JoinInt32(new byte[6]));
    }
    /// <summary>Rows of k descending log-probabilities in the encodable range, [n × k] row-major.</summary>
    static readonly Gen<(int K, float[] Rows)> TopRows =
        from k in Gen.Int[1, 20]
        from n in Gen.Int[0, 6]
        from values in Gen.Float[-1023.99f, 0f].Array[k * n]
        select (k, values.Chunk(k).SelectMany(row => row.OrderDescending()).ToArray());

    [Fact]
    public void Any_descending_top_k_rows_decode_within_half_a_step_and_encode_again_to_the_same_gaps()
    {
        TopRows.Sample((k, rows) =>
        {
            var gaps = new ushort[rows.Length];
            TopKEncoding.EncodeTopLogprobs(rows, k, gaps);
            var back = new float[rows.Length];
            TopKEncoding.DecodeTopLogprobs(gaps, k, back);
            for (int i = 0; i < rows.Length; i++)
                Assert.InRange(Math.Abs((double)back[i] - rows[i]), 0, TopKEncoding.MaxLogprobError);
            var again = new ushort[rows.Length];
            TopKEncoding.EncodeTopLogprobs(back, k, again);
            Assert.Equal(gaps, again);
        }, iter: 3_000);
    }

    [Fact]
    public void Any_tail_mass_decodes_within_its_relative_error()
    {
        double relative = Math.Exp(TopKEncoding.MaxLogprobError) - 1;
        Gen.Float[0f, 1f].Sample(tail =>
        {
            float back = TopKEncoding.DecodeTailMass(TopKEncoding.EncodeTailMass(tail));
            Assert.InRange(Math.Abs((double)back - tail), 0, tail * relative + 1e-7);
        }, iter: 20_000);
    }

    [Fact]
    public void Byte_stream_split_of_any_values_groups_byte_j_of_value_i_at_j_times_n_plus_i_and_joins_back()
    {
        Gen.Int.Array[0, 300].Sample(values =>
        {
            byte[] blob = RowByteStreamSplit.Split(values);
            Assert.Equal(4 * values.Length, blob.Length);
            for (int i = 0; i < values.Length; i++)
                for (int j = 0; j < 4; j++) Assert.Equal((byte)(values[i] >> (8 * j)), blob[j * values.Length + i]);
            Assert.Equal(values, RowByteStreamSplit.JoinInt32(blob));
        }, iter: 2_000);
        Gen.UShort.Array[0, 300].Sample(values =>
        {
            byte[] blob = RowByteStreamSplit.Split(values);
            Assert.Equal(2 * values.Length, blob.Length);
            Assert.Equal(values, RowByteStreamSplit.JoinUInt16(blob));
        }, iter: 2_000);
    }
}
