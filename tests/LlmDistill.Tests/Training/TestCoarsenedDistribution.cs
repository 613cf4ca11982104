using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

public class TestCoarsenedDistribution
{
    public TestCoarsenedDistribution() => TorchRuntime.EnsureLoadable();

    [Fact]
    public void Student_rest_is_one_minus_the_top_k_mass()
    {
        double[] logits = [0.3, -1.2, 2.0, 0.0, 0.7, -0.4, 1.1];
        double[] q = ReferenceLoss.Softmax(logits);
        int[] ids = [2, 6, 4];
        double[] expected = ReferenceLoss.CoarseStudent(q, ids);

        using var scope = NewDisposeScope();
        var logProbs = tensor(logits, ScalarType.Float64).log_softmax(-1).unsqueeze(0);
        var coarse = CoarsenedDistribution.Student(logProbs, tensor(new long[] { 2, 6, 4 }).unsqueeze(0), ones(1, 3, ScalarType.Bool));
        double[] actual = coarse.exp().data<double>().ToArray();
        Assert.Equal(4, actual.Length);
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 1e-14);
    }

    [Fact]
    public void Log_one_minus_exp_stays_accurate_near_zero_and_far_below_it()
    {
        double[] x = [-1e-10, -1e-5, -0.3, -Math.Log(2), -2, -40];
        using var scope = NewDisposeScope();
        double[] actual = CoarsenedDistribution.LogOneMinusExp(tensor(x, ScalarType.Float64), 1e-300).data<double>().ToArray();
        // Reference values: log(1 − e^x) = log(−expm1(x)); for tiny |x| this is log|x| + x/2, for very negative x it is −e^x.
        Assert.Equal(Math.Log(1e-10) - 0.5e-10, actual[0], 1e-12);
        Assert.Equal(Math.Log(1e-5) - 0.5e-5, actual[1], 1e-9);
        Assert.Equal(Math.Log(1 - Math.Exp(-0.3)), actual[2], 1e-14);
        Assert.Equal(Math.Log(0.5), actual[3], 1e-14);
        Assert.Equal(Math.Log(1 - Math.Exp(-2)), actual[4], 1e-14);
        Assert.Equal(-Math.Exp(-40), actual[5], 1e-30);
    }

    [Fact]
    public void Log_one_minus_exp_floors_the_mass_and_keeps_a_finite_gradient_at_zero_and_above()
    {
        using var scope = NewDisposeScope();
        var x = tensor(new[] { 0.0, 1e-7, -1e-9 }, ScalarType.Float32).requires_grad_(true);
        var y = CoarsenedDistribution.LogOneMinusExp(x, 1e-6);
        y.sum().backward();
        foreach (float value in y.data<float>().ToArray()) Assert.Equal(Math.Log(1e-6), value, 1e-3);
        Assert.True(x.grad!.isfinite().all().item<bool>());
    }

    [Fact]
    public void Softening_at_temperature_one_returns_the_same_values_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var logProbs = tensor(new[] { -0.1f, -2.5f, -7f, float.NegativeInfinity }).unsqueeze(0);
        var softened = CoarsenedDistribution.Soften(logProbs, 1.0);
        Assert.Equal(logProbs.data<float>().ToArray(), softened.data<float>().ToArray());
    }

    [Fact]
    public void Softening_raises_each_outcome_to_one_over_T_and_renormalises_with_the_tail_as_one_outcome()
    {
        double[] p = [0.6, 0.3, 0.04, 0.06];   // top-3 + tail
        double[] expected = ReferenceLoss.Soften(p, 3);
        using var scope = NewDisposeScope();
        var teacher = CoarsenedDistribution.Teacher(tensor(p[..3].Select(x => Math.Log(x)).ToArray(), ScalarType.Float64).unsqueeze(0), tensor(new[] { 0.06 }, ScalarType.Float64));
        double[] actual = CoarsenedDistribution.Soften(teacher, 3).exp().data<double>().ToArray();
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], actual[i], 1e-14);
    }

    [Fact]
    public void Teacher_tail_of_zero_is_floored_so_its_log_is_finite()
    {
        using var scope = NewDisposeScope();
        var teacher = CoarsenedDistribution.Teacher(tensor(new[] { 0f, float.NegativeInfinity }).unsqueeze(0), zeros(1));
        float[] values = teacher.data<float>().ToArray();
        Assert.Equal(Math.Log(CoarsenedDistribution.MinimumMass(ScalarType.Float32)), values[2], 1e-4);
        Assert.True(float.IsNegativeInfinity(values[1]));
    }

    [Fact]
    public void Entropy_treats_unused_outcomes_as_zero_mass()
    {
        using var scope = NewDisposeScope();
        var logProbs = tensor(new[] { Math.Log(0.5), double.NegativeInfinity, Math.Log(0.25), Math.Log(0.25) }, ScalarType.Float64).unsqueeze(0);
        Assert.Equal(1.5 * Math.Log(2), CoarsenedDistribution.Entropy(logProbs).item<double>(), 1e-14);
    }
}
