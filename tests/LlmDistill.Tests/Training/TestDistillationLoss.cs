using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

public class TestDistillationLoss
{
    const double Tight = 1e-9;

    public TestDistillationLoss() => TorchRuntime.EnsureLoadable();

    static double Value(Tensor t) => t.to(ScalarType.Float64).item<double>();

    static Divergence DivergenceNamed(string kind, double beta = 0.5) => kind switch
    {
        "forward" => new Divergence.Forward(),
        "reverse" => new Divergence.Reverse(),
        _ => new Divergence.Jsd(beta),
    };

    /// <summary>One rationale position, V = 7, K = 3: uniform student logits, teacher (½, ¼, ⅛ | tail ⅛) on ids 0, 1, 2; target 0.</summary>
    static DistillationResultForHandCase HandCase(DistillationLossOptions options)
    {
        using var scope = NewDisposeScope();
        var batch = new DistillationBatch(
            InputIds: zeros(1, 1, ScalarType.Int64),
            TargetIds: zeros(1, 1, ScalarType.Int64),
            SpanKinds: full(1, 1, SpanKind.Rationale, ScalarType.Int64),
            TeacherTopKIds: tensor(new long[] { 0, 1, 2 }).reshape(1, 1, 3),
            TeacherTopKLogprobs: tensor(new[] { Math.Log(0.5), Math.Log(0.25), Math.Log(0.125) }, ScalarType.Float32).reshape(1, 1, 3),
            TeacherTailMass: full(1, 1, 0.125, ScalarType.Float32),
            TeacherPresent: ones(1, 1, ScalarType.Bool),
            ExampleWeights: ones(1));
        var result = DistillationLoss.ComputeFromLogits(zeros(1, 1, 7, ScalarType.Float64), batch, options);
        return new DistillationResultForHandCase(Value(result.Loss), Value(result.Kl), Value(result.NllRationale));
    }

    sealed record DistillationResultForHandCase(double Loss, double Kl, double NllRationale);

    [Fact]
    public void Forward_KL_on_a_hand_computed_case_matches_the_numbers_worked_out_by_hand()
    {
        // Student coarsened q = (1/7, 1/7, 1/7 | rest 4/7); teacher p = (1/2, 1/4, 1/8 | 1/8).
        // KL(p‖q) = ½ ln 3.5 + ¼ ln 1.75 + ⅛ ln 0.875 + ⅛ ln(0.21875)
        //         = 0.626381 + 0.139904 − 0.016691 − 0.189978 = 0.559616 (= ln 1.75, as it happens).
        // NLL of target 0 = ln 7 = 1.945910.
        var result = HandCase(new DistillationLossOptions { Alpha = 0.25, Divergence = new Divergence.Forward() });
        Assert.Equal(0.5596157879, result.Kl, 1e-6);
        Assert.Equal(1.9459101491, result.NllRationale, 1e-6);
        Assert.Equal(0.25 * 0.5596157879 + 0.75 * 1.9459101491, result.Loss, 1e-6);
    }

    [Fact]
    public void Reverse_KL_on_the_hand_computed_case_matches_the_numbers_worked_out_by_hand()
    {
        // KL(q‖p) = (1/7)(ln(2/7) + ln(4/7) + ln(8/7)) + (4/7) ln(32/7)
        //         = (1/7)(−1.252763 − 0.559616 + 0.133531) + 0.571429 · 1.519826 = −0.239835 + 0.868472 = 0.628637.
        var result = HandCase(new DistillationLossOptions { Alpha = 1, Divergence = new Divergence.Reverse() });
        Assert.Equal(0.6286365216, result.Kl, 1e-6);
        Assert.Equal(0.6286365216, result.Loss, 1e-6);
    }

    [Fact]
    public void JSD_on_the_hand_computed_case_matches_the_numbers_worked_out_by_hand()
    {
        // m = (p + q)/2 = (0.321429, 0.196429, 0.133929 | 0.348214);
        // ½ KL(p‖m) + ½ KL(q‖m) = 0.137720.
        var result = HandCase(new DistillationLossOptions { Alpha = 1, Divergence = new Divergence.Jsd(0.5) });
        Assert.Equal(0.1377198940, result.Kl, 1e-6);
    }

    [Fact]
    public void Temperature_two_on_the_hand_computed_case_softens_both_coarsened_sides_and_scales_by_four()
    {
        // p at T = 2: √p renormalised = (0.369398, 0.261204, 0.184699 | 0.184699); q at T = 2: (1, 1, 1 | 2)/5.
        // KL = 0.138960; the loss term is T²·KL = 0.555841.
        var result = HandCase(new DistillationLossOptions { Alpha = 1, Temperature = 2 });
        Assert.Equal(0.1389602532, result.Kl, 1e-6);
        Assert.Equal(4 * 0.1389602532, result.Loss, 1e-6);
    }

    [Theory]
    [InlineData("forward", 0.5)]
    [InlineData("reverse", 0.5)]
    [InlineData("jsd", 0.5)]
    [InlineData("jsd", 0.1)]
    [InlineData("jsd", 0.9)]
    public void Each_divergence_matches_a_direct_dense_computation_on_a_tiny_vocabulary(string kind, double beta)
    {
        var tiny = TinyDistillationCase.Random(seed: 3);
        var expected = tiny.Reference(kind, alpha: 1, temperature: 1, beta: beta);
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = 1, Divergence = DivergenceNamed(kind, beta) });
        Assert.Equal(expected.Kl, Value(result.Kl), Tight);
        Assert.Equal(expected.Loss, Value(result.Loss), Tight);
        Assert.Equal(expected.TeacherPositions, result.TeacherPositions.item<long>());
        Assert.Equal(expected.Tokens, result.Tokens.item<long>());
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("reverse")]
    [InlineData("jsd")]
    public void Temperature_one_equals_the_plain_coarsened_divergence(string kind)
    {
        var tiny = TinyDistillationCase.Random(seed: 4);
        // At T = 1 softening is the identity: the reference without any power.
        double plain = 0, weights = 0;
        for (int i = 0; i < tiny.Positions; i++)
        {
            if (tiny.Spans[i] == 0 || !tiny.Present[i]) continue;
            double w = tiny.ExampleWeights[i / tiny.Length];
            plain += w * ReferenceLoss.Divergence(kind, ReferenceLoss.CoarseTeacher(tiny.TopKLogprobs[i], tiny.Tail[i]),
                ReferenceLoss.CoarseStudent(ReferenceLoss.Softmax(tiny.Logits(i)), tiny.TopKIds[i]));
            weights += w;
        }
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = 1, Temperature = 1, Divergence = DivergenceNamed(kind) });
        Assert.Equal(plain / weights, Value(result.Kl), Tight);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(4.0)]
    public void The_KL_term_is_the_softened_divergence_scaled_by_T_squared(double temperature)
    {
        var tiny = TinyDistillationCase.Random(seed: 5);
        var expected = tiny.Reference("forward", alpha: 1, temperature: temperature);
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = 1, Temperature = temperature });
        Assert.Equal(expected.Kl, Value(result.Kl), Tight);
        Assert.Equal(temperature * temperature * Value(result.Kl), Value(result.Loss), Tight);
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("reverse")]
    [InlineData("jsd")]
    public void With_K_equal_to_V_and_no_tail_the_coarsened_divergence_is_the_full_divergence(string kind)
    {
        const int v = 6;
        var random = new Random(6);
        double[] teacherLogits = Enumerable.Range(0, v).Select(_ => 3 * random.NextDouble()).ToArray();
        double[] studentLogits = Enumerable.Range(0, v).Select(_ => 3 * random.NextDouble()).ToArray();
        double[] p = ReferenceLoss.Softmax(teacherLogits), q = ReferenceLoss.Softmax(studentLogits);
        int[] order = Enumerable.Range(0, v).OrderBy(_ => random.Next()).ToArray();   // any order of all V ids
        double fullDivergence = ReferenceLoss.Divergence(kind, p, q);

        using var scope = NewDisposeScope();
        var batch = new DistillationBatch(
            InputIds: zeros(1, 1, ScalarType.Int64),
            TargetIds: zeros(1, 1, ScalarType.Int64),
            SpanKinds: full(1, 1, SpanKind.Answer, ScalarType.Int64),
            TeacherTopKIds: tensor(order.Select(i => (long)i).ToArray()).reshape(1, 1, v),
            TeacherTopKLogprobs: tensor(order.Select(i => Math.Log(p[i])).ToArray(), ScalarType.Float64).reshape(1, 1, v),
            TeacherTailMass: zeros(1, 1, ScalarType.Float64),
            TeacherPresent: ones(1, 1, ScalarType.Bool),
            ExampleWeights: ones(1));
        var result = DistillationLoss.ComputeFromLogits(tensor(studentLogits, ScalarType.Float64).reshape(1, 1, v), batch,
            new DistillationLossOptions { Alpha = 1, Divergence = DivergenceNamed(kind) });
        // The rest buckets are floored at 1e-12 on both sides, which moves the divergence by about 1e-11.
        Assert.Equal(fullDivergence, Value(result.Kl), 1e-10);
    }

    [Fact]
    public void The_NLL_ignores_prompt_and_padding_and_weights_rationale_and_answer_spans()
    {
        var tiny = TinyDistillationCase.Random(seed: 7);
        var expected = tiny.Reference("forward", alpha: 0, temperature: 1, rationaleWeight: 0.3, answerWeight: 2);
        var options = new DistillationLossOptions { Alpha = 0, RationaleWeight = 0.3, AnswerWeight = 2 };
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(), options);
        Assert.Equal(expected.Loss, Value(result.Loss), Tight);
        Assert.Equal(expected.NllRationale, Value(result.NllRationale), Tight);
        Assert.Equal(expected.NllAnswer, Value(result.NllAnswer), Tight);

        // Other targets at ignored positions change nothing.
        for (int i = 0; i < tiny.Positions; i++) if (tiny.Spans[i] == 0) tiny.Targets[i] = (tiny.Targets[i] + 1) % tiny.Vocabulary;
        var again = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(), options);
        Assert.Equal(Value(result.Loss), Value(again.Loss), 0.0);
    }

    [Fact]
    public void A_zero_rationale_weight_leaves_the_answer_NLL_alone()
    {
        var tiny = TinyDistillationCase.Random(seed: 8);
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = 0, RationaleWeight = 0 });
        Assert.Equal(Value(result.NllAnswer), Value(result.Loss), Tight);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void Alpha_mixes_T_squared_KL_and_NLL(double alpha)
    {
        var tiny = TinyDistillationCase.Random(seed: 9);
        var expected = tiny.Reference("reverse", alpha, temperature: 1.5, rationaleWeight: 0.5);
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = alpha, Temperature = 1.5, Divergence = new Divergence.Reverse(), RationaleWeight = 0.5 });
        Assert.Equal(expected.Loss, Value(result.Loss), Tight);
    }

    [Fact]
    public void Per_example_weights_give_weighted_means_and_a_zero_weight_drops_the_example()
    {
        var tiny = TinyDistillationCase.Random(seed: 10, examples: 3);
        tiny.ExampleWeights[0] = 2;
        tiny.ExampleWeights[1] = 0;
        tiny.ExampleWeights[2] = 0.5;
        var expected = tiny.Reference("jsd", alpha: 0.6, temperature: 2);
        var options = new DistillationLossOptions { Alpha = 0.6, Temperature = 2, Divergence = new Divergence.Jsd(0.5) };
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(), options);
        Assert.Equal(expected.Loss, Value(result.Loss), Tight);

        // Scrambling the zero-weight example's student logits changes nothing.
        for (int t = 0; t < tiny.Length; t++) for (int c = 0; c < tiny.Channels; c++) tiny.Hidden[tiny.Length + t, c] *= -3;
        var scrambled = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(), options);
        Assert.Equal(Value(result.Loss), Value(scrambled.Loss), Tight);
    }

    [Fact]
    public void Entropy_weighting_down_weights_uncertain_teacher_positions_in_the_KL_mean()
    {
        var tiny = TinyDistillationCase.Random(seed: 11);
        var expected = tiny.Reference("forward", alpha: 1, temperature: 1, entropyScale: 0.7);
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(),
            new DistillationLossOptions { Alpha = 1, EntropyWeighting = new TeacherEntropyWeighting(0.7) });
        Assert.Equal(expected.Kl, Value(result.Kl), Tight);
        Assert.NotEqual(tiny.Reference("forward", alpha: 1, temperature: 1).Kl, expected.Kl, 1e-6);
    }

    [Fact]
    public void A_temperature_schedule_sets_the_temperature_by_step()
    {
        var tiny = TinyDistillationCase.Random(seed: 12);
        var options = new DistillationLossOptions { Alpha = 1, Temperature = 9, TemperatureSchedule = new TemperatureSchedule(3, 1, 100) };
        using var scope = NewDisposeScope();
        var result = DistillationLoss.ComputeFromLogits(tiny.LogitsTensor(ScalarType.Float64), tiny.ToBatch(), options, step: 50);
        Assert.Equal(2.0, result.Temperature);
        Assert.Equal(tiny.Reference("forward", alpha: 1, temperature: 2).Loss, Value(result.Loss), Tight);
    }

    [Fact]
    public void An_unused_teacher_slot_leaves_its_student_mass_in_the_rest_bucket()
    {
        var tiny = TinyDistillationCase.Random(seed: 13, topK: 3);
        var shorter = TinyDistillationCase.Random(seed: 13, topK: 3);
        for (int i = 0; i < tiny.Positions; i++)
        {
            // Drop the third candidate: its teacher mass joins the tail, its slot is marked unused.
            shorter.Tail[i] = (float)(tiny.Tail[i] + Math.Exp(tiny.TopKLogprobs[i][2]));
            shorter.TopKLogprobs[i][2] = double.NegativeInfinity;
            shorter.TopKIds[i][2] = 0;
        }
        foreach (var divergence in new Divergence[] { new Divergence.Forward(), new Divergence.Reverse(), new Divergence.Jsd(0.3) })
        {
            using var scope = NewDisposeScope();
            var options = new DistillationLossOptions { Alpha = 1, Divergence = divergence };
            var logits = shorter.LogitsTensor(ScalarType.Float64).requires_grad_(true);
            var result = DistillationLoss.ComputeFromLogits(logits, shorter.ToBatch(), options);
            result.Loss.backward();
            Assert.True(logits.grad!.isfinite().all().item<bool>());

            // The reference: the same case with K = 2.
            double sum = 0, weights = 0;
            for (int i = 0; i < shorter.Positions; i++)
            {
                if (shorter.Spans[i] == 0 || !shorter.Present[i]) continue;
                double w = shorter.ExampleWeights[i / shorter.Length];
                string kind = divergence switch { Divergence.Forward => "forward", Divergence.Reverse => "reverse", _ => "jsd" };
                sum += w * ReferenceLoss.Divergence(kind, ReferenceLoss.CoarseTeacher(shorter.TopKLogprobs[i][..2], shorter.Tail[i]),
                    ReferenceLoss.CoarseStudent(ReferenceLoss.Softmax(shorter.Logits(i)), shorter.TopKIds[i][..2]), beta: 0.3);
                weights += w;
            }
            Assert.Equal(sum / weights, Value(result.Kl), 1e-7);
        }
    }

    [Fact]
    public void A_zero_teacher_tail_keeps_reverse_KL_and_its_gradient_finite()
    {
        var tiny = TinyDistillationCase.Random(seed: 14);
        Array.Fill(tiny.Tail, 0.0);
        using var scope = NewDisposeScope();
        var logits = tiny.LogitsTensor(ScalarType.Float32).requires_grad_(true);
        var result = DistillationLoss.ComputeFromLogits(logits, tiny.ToBatch(), new DistillationLossOptions { Alpha = 1, Divergence = new Divergence.Reverse() });
        result.Loss.backward();
        Assert.True(double.IsFinite(Value(result.Loss)));
        Assert.True(logits.grad!.isfinite().all().item<bool>());
    }
}
