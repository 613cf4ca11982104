using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training.OnPolicy;

/// <summary>
/// The on-policy objective: reverse KL over the coarsened distributions on the student's own top-k ids (teacher
/// log-probabilities read at those ids, tail = 1 − Σ p), divergence only. Checked against the loss and its gradient
/// written out by hand in plain doubles.
/// </summary>
public class TestOnPolicyLoss
{
    public TestOnPolicyLoss() => TorchRuntime.EnsureLoadable();

    const int Positions = 4, Vocabulary = 9, Channels = 5, TopK = 3;
    const double Alpha = 0.6;

    sealed record Case(double[,] Hidden, double[,] Weight, double[][] Teacher, int[][] Ids, long[] Targets);

    /// <summary>Random student weights and teacher distributions; ids = the student's own top-k at each position.</summary>
    static Case Random(int seed)
    {
        var random = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var hidden = new double[Positions, Channels];
        var weight = new double[Vocabulary, Channels];
        for (int i = 0; i < Positions; i++) for (int c = 0; c < Channels; c++) hidden[i, c] = Normal();
        for (int v = 0; v < Vocabulary; v++) for (int c = 0; c < Channels; c++) weight[v, c] = Normal();
        var teacher = Enumerable.Range(0, Positions).Select(_ => ReferenceLoss.Softmax([.. Enumerable.Range(0, Vocabulary).Select(_ => 2 * Normal())])).ToArray();
        var ids = Enumerable.Range(0, Positions).Select(i =>
        {
            double[] q = StudentProbabilities(hidden, weight, i);
            return Enumerable.Range(0, Vocabulary).OrderByDescending(v => q[v]).Take(TopK).ToArray();
        }).ToArray();
        return new Case(hidden, weight, teacher, ids, [.. Enumerable.Range(0, Positions).Select(_ => (long)random.Next(Vocabulary))]);
    }

    static double[] StudentProbabilities(double[,] hidden, double[,] weight, int i) =>
        ReferenceLoss.Softmax([.. Enumerable.Range(0, Vocabulary).Select(v => Enumerable.Range(0, Channels).Sum(c => hidden[i, c] * weight[v, c]))]);

    /// <summary>A one-example batch of all rationale positions whose teacher columns are the teacher's p at the student's ids.</summary>
    static DistillationBatch Batch(Case c, bool divergenceOnly)
    {
        // Stored as the trace schema stores them: float log-probabilities, float tail.
        var logprobs = c.Ids.Select((ids, i) => ids.Select(id => (float)Math.Log(c.Teacher[i][id])).ToArray()).ToArray();
        var tail = logprobs.Select(row => (float)(1 - row.Sum(lp => Math.Exp(lp)))).ToArray();
        return new DistillationBatch(
            InputIds: zeros(1, Positions, ScalarType.Int64),
            TargetIds: tensor(c.Targets).reshape(1, Positions),
            SpanKinds: full(1, Positions, SpanKind.Rationale, ScalarType.Int64),
            TeacherTopKIds: tensor(c.Ids.SelectMany(r => r.Select(id => (long)id)).ToArray()).reshape(1, Positions, TopK),
            TeacherTopKLogprobs: tensor(logprobs.SelectMany(r => r).ToArray()).reshape(1, Positions, TopK),
            TeacherTailMass: tensor(tail).reshape(1, Positions),
            TeacherPresent: ones(1, Positions, ScalarType.Bool),
            ExampleWeights: ones(1)) { DivergenceOnly = divergenceOnly };
    }

    /// <summary>
    /// α · mean over positions of KL(q̃ ‖ p̃) and its gradient with respect to the logits, by hand: with S the ids,
    /// q̃ = (q_S, 1 − Σ_S q), p̃ = (p_S, 1 − Σ_S p) and a_i = ln q̃_i − ln p̃_i,
    /// ∂KL/∂z_j = Σ_{i∈S} q_i (δ_ij − q_j)(a_i − a_rest) (the "+1" of d(x ln x) sums to zero over the outcomes).
    /// </summary>
    static (double Loss, double[,] LogitGradient) Direct(Case c)
    {
        double loss = 0;
        var gradient = new double[Positions, Vocabulary];
        for (int t = 0; t < Positions; t++)
        {
            double[] q = StudentProbabilities(c.Hidden, c.Weight, t);
            int[] s = c.Ids[t];
            double[] pS = [.. s.Select(id => Math.Exp((float)Math.Log(c.Teacher[t][id])))];
            double pRest = (float)(1 - pS.Sum());
            double qRest = 1 - s.Sum(id => q[id]);
            double[] a = [.. s.Select((id, k) => Math.Log(q[id]) - Math.Log(pS[k]))];
            double aRest = Math.Log(qRest) - Math.Log(pRest);
            loss += s.Select((id, k) => q[id] * a[k]).Sum() + qRest * aRest;
            for (int j = 0; j < Vocabulary; j++)
                for (int k = 0; k < TopK; k++)
                    gradient[t, j] += Alpha / Positions * q[s[k]] * ((s[k] == j ? 1 : 0) - q[j]) * (a[k] - aRest);
        }
        return (Alpha * loss / Positions, gradient);
    }

    [Fact]
    public void Reverse_KL_on_the_students_top_k_has_the_value_and_gradient_of_a_direct_computation()
    {
        var c = Random(seed: 5);
        var (expectedLoss, logitGradient) = Direct(c);

        using var scope = NewDisposeScope();
        var hidden = tensor(c.Hidden, ScalarType.Float64).reshape(1, Positions, Channels).requires_grad_(true);
        var weight = tensor(c.Weight, ScalarType.Float64).requires_grad_(true);
        var options = new DistillationLossOptions { Alpha = Alpha, Divergence = new Divergence.Reverse(), ChunkSize = 3 };
        var result = DistillationLoss.Compute(hidden, weight, Batch(c, divergenceOnly: true), options);
        result.Loss.backward();

        Assert.Equal(expectedLoss, result.Loss.to(ScalarType.Float64).item<double>(), 1e-12);
        Assert.Equal(0, result.NllRationale.to(ScalarType.Float64).item<double>());
        // Chain rule through z = h Wᵀ: ∂L/∂h_t = Σ_j g_tj W_j, ∂L/∂W_j = Σ_t g_tj h_t.
        double[] hiddenGradient = hidden.grad!.data<double>().ToArray(), weightGradient = weight.grad!.data<double>().ToArray();
        for (int t = 0; t < Positions; t++)
            for (int ch = 0; ch < Channels; ch++)
                Assert.Equal(Enumerable.Range(0, Vocabulary).Sum(j => logitGradient[t, j] * c.Weight[j, ch]), hiddenGradient[t * Channels + ch], 1e-12);
        for (int j = 0; j < Vocabulary; j++)
            for (int ch = 0; ch < Channels; ch++)
                Assert.Equal(Enumerable.Range(0, Positions).Sum(t => logitGradient[t, j] * c.Hidden[t, ch]), weightGradient[j * Channels + ch], 1e-12);
        Assert.True(hiddenGradient.Any(g => Math.Abs(g) > 1e-3), "the case has a gradient worth checking");
    }

    [Fact]
    public void A_divergence_only_batch_leaves_out_the_likelihood_of_the_students_own_tokens()
    {
        var c = Random(seed: 6);
        using var scope = NewDisposeScope();
        var logits = tensor(c.Hidden, ScalarType.Float64).matmul(tensor(c.Weight, ScalarType.Float64).t()).reshape(1, Positions, Vocabulary);
        var options = new DistillationLossOptions { Alpha = Alpha, Divergence = new Divergence.Reverse() };
        var both = DistillationLoss.ComputeFromLogits(logits, Batch(c, divergenceOnly: false), options);
        var divergenceOnly = DistillationLoss.ComputeFromLogits(logits, Batch(c, divergenceOnly: true), options);

        Assert.Equal(both.Kl.to(ScalarType.Float64).item<double>(), divergenceOnly.Kl.to(ScalarType.Float64).item<double>(), 1e-14);
        Assert.Equal(Alpha * both.Kl.to(ScalarType.Float64).item<double>(), divergenceOnly.Loss.to(ScalarType.Float64).item<double>(), 1e-14);
        Assert.True(both.Loss.to(ScalarType.Float64).item<double>() > divergenceOnly.Loss.to(ScalarType.Float64).item<double>() + 0.1, "with the likelihood the loss is larger");
    }
}
