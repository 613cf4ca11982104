using CsCheck;
using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Evaluation;

namespace LlmDistill.Tests.Evaluation.Statistics;

public class TestMetrics
{
    [Fact]
    public void Wilson_interval_of_8_out_of_10_matches_the_hand_computed_bounds()
    {
        // p = 0.8, z² = 3.8415: centre = (0.8 + 0.19207) / 1.38415 = 0.71674,
        // half = 1.95996 · √(0.016 + 0.0096036) / 1.38415 = 0.22658 → [0.49016, 0.94331].
        var interval = Metrics.WilsonInterval(8, 10)!.Value;
        Assert.Equal(0.49016, interval.Low, 4);
        Assert.Equal(0.94331, interval.High, 4);
    }

    [Fact]
    public void Wilson_interval_stays_inside_zero_and_one_at_the_extremes()
    {
        var none = Metrics.WilsonInterval(0, 20)!.Value;
        Assert.Equal(0, none.Low, 12);
        Assert.Equal(0.16113, none.High, 4); // z² / (n + z²) = 3.8415 / 23.8415
        var all = Metrics.WilsonInterval(20, 20)!.Value;
        Assert.Equal(1 - 0.16113, all.Low, 4);
        Assert.Equal(1, all.High, 12);
        Assert.Null(Metrics.WilsonInterval(0, 0));
    }

    [Theory]
    [InlineData(1, 6, 0.125)]      // 2 · (C(7,0) + C(7,1)) / 2⁷ = 2 · 8 / 128
    [InlineData(0, 5, 0.0625)]     // 2 · 1 / 2⁵
    [InlineData(6, 1, 0.125)]      // symmetric
    [InlineData(3, 3, 1.0)]        // 2 · 42 / 64 > 1, capped
    [InlineData(0, 0, 1.0)]        // no discordant pairs: no evidence either way
    [InlineData(2, 10, 0.0385742)] // 2 · (1 + 12 + 66) / 4096
    public void McNemar_exact_matches_the_binomial_tail_by_hand(int onlyA, int onlyB, double expected) =>
        Assert.Equal(expected, Metrics.McNemarExact(onlyA, onlyB), 6);

    [Fact]
    public void McNemar_does_not_underflow_on_thousands_of_questions()
    {
        double p = Metrics.McNemarExact(1000, 1100);
        Assert.InRange(p, 0.02, 0.04); // normal approximation: z = 100 / √2100 = 2.18 → p ≈ 0.029
    }

    [Fact]
    public void Agreement_counts_equivalent_answers_and_a_missing_answer_never_agrees()
    {
        Assert.Equal(0.5, Metrics.Agreement([("42", "42.0"), ("1/2", "0.5"), ("7", "8"), (null, null)]));
        Assert.Null(Metrics.Agreement([]));
    }

    [Fact]
    public void Retention_and_compression_are_ratios_to_the_teacher()
    {
        Assert.Equal(0.75, Metrics.Retention(0.6, 0.8)!.Value, 12);
        Assert.Null(Metrics.Retention(0.5, 0));
        Assert.Equal(14.0, Metrics.Compression(7_000, 500)!.Value, 12);
        Assert.Null(Metrics.Compression(7_000, 0));
    }
    [Fact]
    public void Any_wilson_interval_lies_in_0_to_1_holds_the_observed_rate_mirrors_failures_and_widens_with_z()
    {
        var cases = from trials in Gen.Int[1, 100_000] from successes in Gen.Int[0, trials] from z in Gen.Double[0.1, 4.0] select (successes, trials, z);
        cases.Sample((successes, trials, z) =>
        {
            var interval = Metrics.WilsonInterval(successes, trials, z)!.Value;
            double rate = successes / (double)trials;
            Assert.InRange(interval.Low, 0, rate + 1e-12);
            Assert.InRange(interval.High, rate - 1e-12, 1);
            var mirrored = Metrics.WilsonInterval(trials - successes, trials, z)!.Value;
            Assert.Equal(1 - interval.High, mirrored.Low, 1e-9);
            Assert.Equal(1 - interval.Low, mirrored.High, 1e-9);
            var wider = Metrics.WilsonInterval(successes, trials, z + 0.5)!.Value;
            Assert.True(wider.Low <= interval.Low + 1e-12 && wider.High >= interval.High - 1e-12, $"z + 0.5 gave {wider}, z gave {interval}");
        }, iter: 5_000);
    }

    [Fact]
    public void Any_mcnemar_p_value_is_symmetric_within_0_to_1_equal_to_1_for_even_splits_and_falls_as_the_split_grows()
    {
        Gen.Select(Gen.Int[0, 2_000], Gen.Int[0, 2_000]).Sample((onlyA, onlyB) =>
        {
            double p = Metrics.McNemarExact(onlyA, onlyB);
            Assert.Equal(p, Metrics.McNemarExact(onlyB, onlyA));
            Assert.InRange(p, 0, 1); // 0 where the true value is below double's range, e.g. (8, 1134): 2^-1075
            Assert.Equal(1, Metrics.McNemarExact(onlyA, onlyA));
            int low = Math.Min(onlyA, onlyB), high = Math.Max(onlyA, onlyB);
            Assert.True(Metrics.McNemarExact(low, high + 1) <= p, $"({low}, {high + 1}) is a more lopsided split than ({low}, {high})");
        }, iter: 2_000);
    }
}
