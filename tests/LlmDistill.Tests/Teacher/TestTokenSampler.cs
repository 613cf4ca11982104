using LlmDistill.Teacher;

namespace LlmDistill.Tests.Teacher;

public class TestTokenSampler
{
    static readonly float[] Logits = [2.0f, 1.0f, 0.5f, -1.0f, 1.9f];

    [Fact]
    public void Greedy_picks_the_largest_logit_and_the_lower_id_on_ties()
    {
        Assert.Equal(0, new TokenSampler(SamplingSettings.Greedy, 0).Sample(Logits));
        Assert.Equal(1, new TokenSampler(SamplingSettings.Greedy, 0).Sample([0f, 5f, 5f]));
    }

    static int[] Draw(SamplingSettings settings, long sequence, int count)
    {
        var sampler = new TokenSampler(settings, sequence);
        return Enumerable.Range(0, count).Select(_ => sampler.Sample(Logits)).ToArray();
    }

    [Fact]
    public void The_same_seed_and_sequence_draw_the_same_tokens_and_others_differ()
    {
        var settings = new SamplingSettings(Temperature: 1f, TopK: 0, Seed: 42);
        Assert.Equal(Draw(settings, 3, 200), Draw(settings, 3, 200));
        Assert.NotEqual(Draw(settings, 3, 200), Draw(settings, 4, 200));
        Assert.NotEqual(Draw(settings, 3, 200), Draw(settings with { Seed = 43 }, 3, 200));
    }

    [Fact]
    public void Frequencies_follow_the_softmax_at_the_sampling_temperature()
    {
        const int draws = 40000;
        const float temperature = 0.7f;
        var counts = new int[Logits.Length];
        foreach (int id in Draw(new SamplingSettings(Temperature: temperature, TopK: 0, Seed: 7), 0, draws)) counts[id]++;

        double[] weights = Logits.Select(l => Math.Exp(l / temperature)).ToArray();
        double total = weights.Sum();
        for (int i = 0; i < Logits.Length; i++)
        {
            double expected = weights[i] / total;
            double sigma = Math.Sqrt(expected * (1 - expected) / draws);
            Assert.InRange(counts[i] / (double)draws, expected - 5 * sigma - 1e-4, expected + 5 * sigma + 1e-4);
        }
    }

    [Fact]
    public void Top_k_and_top_p_never_draw_outside_their_cut()
    {
        // top-k 2 keeps ids 0 and 4.
        Assert.All(Draw(new SamplingSettings(Temperature: 1f, TopK: 2, Seed: 1), 0, 2000), id => Assert.Contains(id, new[] { 0, 4 }));
        // At T=1 p(0)≈0.33, p(4)≈0.30, p(1)≈0.12: a nucleus of 0.5 keeps ids 0 and 4 only.
        Assert.All(Draw(new SamplingSettings(Temperature: 1f, TopK: 0, TopP: 0.5f, Seed: 1), 0, 2000), id => Assert.Contains(id, new[] { 0, 4 }));
        // min-p 0.5 keeps tokens with p ≥ 0.5 p_max: ids 0 and 4 (p(1)/p(0) = e^-1 ≈ 0.37).
        Assert.All(Draw(new SamplingSettings(Temperature: 1f, TopK: 0, MinP: 0.5f, Seed: 1), 0, 2000), id => Assert.Contains(id, new[] { 0, 4 }));
    }
}
