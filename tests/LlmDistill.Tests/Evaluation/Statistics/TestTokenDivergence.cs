using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Evaluation;
using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Evaluation.Statistics;

public class TestTokenDivergence
{
    public TestTokenDivergence() => TorchRuntime.EnsureLoadable();

    // Student q over 4 tokens = [0.4, 0.4, 0.1, 0.1] (logits are log q); teacher top-2 = ids 0 and 1 with p 0.5 and 0.3, tail 0.2.
    static readonly float[] StudentLogits = [MathF.Log(0.4f), MathF.Log(0.4f), MathF.Log(0.1f), MathF.Log(0.1f)];
    static readonly int[] TopIds = [0, 1];
    static readonly float[] TopLogprobs = [MathF.Log(0.5f), MathF.Log(0.3f)];

    [Fact]
    public void Coarsened_kl_and_nll_match_the_hand_computed_values()
    {
        // KL = 0.5 ln(0.5/0.4) + 0.3 ln(0.3/0.4) + 0.2 ln(0.2/0.2) = 0.111572 − 0.086305 + 0 = 0.025267
        var (kl, nll) = TokenDivergence.At(StudentLogits, TopIds, TopLogprobs, 0.2f, token: 1);
        Assert.Equal(0.025267, kl, 5);
        Assert.Equal(-Math.Log(0.4), nll, 5);
    }

    [Fact]
    public void Kl_is_zero_when_the_student_is_the_teacher_on_the_coarsened_support()
    {
        float[] same = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];
        var (kl, _) = TokenDivergence.At(same, TopIds, TopLogprobs, 0.2f, token: 0);
        Assert.Equal(0, kl, 6);
    }

    [Fact]
    public void Eval_kl_equals_the_training_loss_kl_on_the_same_position()
    {
        var (kl, _) = TokenDivergence.At(StudentLogits, TopIds, TopLogprobs, 0.2f, token: 0);
        using var scope = NewDisposeScope();
        var teacher = CoarsenedDistribution.Teacher(tensor(TopLogprobs).reshape(1, 2), tensor(new[] { 0.2f }));
        var student = CoarsenedDistribution.Student(tensor(StudentLogits).reshape(1, 4).log_softmax(-1), tensor(new long[] { 0, 1 }).reshape(1, 2), ones(1, 2, ScalarType.Bool));
        double training = CoarsenedDivergence.PerRow(new Divergence.Forward(), teacher, student).item<float>();
        Assert.Equal(training, kl, 5);
    }
}
