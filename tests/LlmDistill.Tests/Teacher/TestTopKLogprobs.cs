using LlmDistill.Teacher;

namespace LlmDistill.Tests.Teacher;

public class TestTopKLogprobs
{
    static float[] RandomLogits(int vocab, int seed, float scale = 4f)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, vocab).Select(_ => (float)(random.NextDouble() * 2 - 1) * scale).ToArray();
    }

    // The independent reference: double-precision log_softmax and a full sort by (logit desc, id asc).
    static (int[] ids, double[] logprobs) Reference(float[] logits, int k)
    {
        double max = logits.Max();
        double lse = max + Math.Log(logits.Sum(x => Math.Exp(x - max)));
        var ids = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ThenBy(i => i).Take(k).ToArray();
        return (ids, ids.Select(i => logits[i] - lse).ToArray());
    }

    [Theory]
    [InlineData(1000, 20, 1)]
    [InlineData(151936, 20, 2)]
    [InlineData(64, 64, 3)]
    [InlineData(261, 1, 4)]
    public void Captured_top_k_equals_a_full_sort_of_log_softmax(int vocab, int k, int seed)
    {
        float[] logits = RandomLogits(vocab, seed, scale: 12f);
        var ids = new int[k];
        var logprobs = new float[k];
        TopKLogprobs.Capture(logits, ids, logprobs);

        var (expectedIds, expectedLogprobs) = Reference(logits, k);
        Assert.Equal(expectedIds, ids);
        for (int i = 0; i < k; i++) Assert.Equal(expectedLogprobs[i], logprobs[i], 1e-5);
        Assert.All(logprobs, lp => Assert.True(lp <= 0));
        for (int i = 1; i < k; i++) Assert.True(logprobs[i - 1] >= logprobs[i]);
        float tail = TopKLogprobs.TailMass(logprobs);
        Assert.InRange(tail, 0f, 1f);
        Assert.Equal(1 - expectedLogprobs.Sum(Math.Exp), tail, 1e-5);
    }

    [Fact]
    public void Equal_logits_are_ranked_by_lower_id_first()
    {
        float[] logits = [1f, 3f, 3f, 0f, 3f, 2f];
        var ids = new int[4];
        var logprobs = new float[4];
        TopKLogprobs.Capture(logits, ids, logprobs);
        Assert.Equal([1, 2, 4, 5], ids);
    }

    [Fact]
    public void Log_sum_exp_survives_huge_logits()
    {
        float[] logits = [1000f, 1000f, -1000f];
        Assert.Equal(1000f + MathF.Log(2f), TopKLogprobs.LogSumExp(logits), 3);
    }

    [Fact]
    public void Whole_vocabulary_top_k_has_no_tail_mass()
    {
        float[] logits = RandomLogits(50, 9);
        var ids = new int[50];
        var logprobs = new float[50];
        TopKLogprobs.Capture(logits, ids, logprobs);
        Assert.Equal(0f, TopKLogprobs.TailMass(logprobs), 5);
    }

    [Fact]
    public void NaN_logits_are_refused()
    {
        float[] logits = [0f, float.NaN, 1f];
        Assert.Throws<ArgumentException>(() => TopKLogprobs.Capture(logits, new int[1], new float[1]));
    }
}
