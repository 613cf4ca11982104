using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

public class TestChunkedDistillationLoss
{
    public TestChunkedDistillationLoss() => TorchRuntime.EnsureLoadable();

    static double Value(Tensor t) => t.to(ScalarType.Float64).item<double>();

    static double MaxAbsDifference(Tensor a, Tensor b) => Value((a.to(ScalarType.Float64) - b.to(ScalarType.Float64)).abs().max());

    static readonly Divergence[] Divergences = [new Divergence.Forward(), new Divergence.Reverse(), new Divergence.Jsd(0.3)];

    /// <summary>3 examples of 16 positions (36 loss rows), V = 50, K = 5, C = 8.</summary>
    static TinyDistillationCase MediumCase() =>
        TinyDistillationCase.Random(seed: 21, examples: 3, length: 16, vocabulary: 50, topK: 5, channels: 8, prompt: 4);

    [Theory]
    [InlineData(1)]
    [InlineData(4)]   // divides the 36 loss rows
    [InlineData(7)]   // does not
    [InlineData(36)]
    [InlineData(1000)]
    public void Chunked_loss_and_gradients_equal_the_full_logits_path(int chunkSize)
    {
        var tiny = MediumCase();
        foreach (var divergence in Divergences)
        {
            using var scope = NewDisposeScope();
            var options = new DistillationLossOptions
            {
                Alpha = 0.6, Temperature = 2, Divergence = divergence, RationaleWeight = 0.5, AnswerWeight = 2, ChunkSize = chunkSize,
            };
            var batch = tiny.ToBatch();

            var hiddenFull = tiny.HiddenTensor(ScalarType.Float32).reshape(tiny.Examples, tiny.Length, tiny.Channels).requires_grad_(true);
            var weightFull = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
            var full = DistillationLoss.ComputeFromLogits(hiddenFull.matmul(weightFull.t()), batch, options);
            full.Loss.backward();

            var hiddenChunked = tiny.HiddenTensor(ScalarType.Float32).reshape(tiny.Examples, tiny.Length, tiny.Channels).requires_grad_(true);
            var weightChunked = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
            var chunked = DistillationLoss.Compute(hiddenChunked, weightChunked, batch, options);
            chunked.Loss.backward();

            Assert.Equal(Value(full.Loss), Value(chunked.Loss), 1e-5);
            Assert.Equal(Value(full.Kl), Value(chunked.Kl), 1e-5);
            Assert.Equal(Value(full.NllRationale), Value(chunked.NllRationale), 1e-5);
            Assert.Equal(Value(full.NllAnswer), Value(chunked.NllAnswer), 1e-5);
            Assert.Equal(full.Tokens.item<long>(), chunked.Tokens.item<long>());
            Assert.True(MaxAbsDifference(hiddenFull.grad!, hiddenChunked.grad!) < 1e-5, $"{divergence}: hidden gradients differ");
            Assert.True(MaxAbsDifference(weightFull.grad!, weightChunked.grad!) < 1e-5, $"{divergence}: weight gradients differ");
            Assert.True(Value(hiddenChunked.grad!.abs().sum()) > 0);
        }
    }

    [Fact]
    public void A_workspace_reused_across_calls_gives_the_same_loss_and_gradients_as_fresh_buffers()
    {
        // Two cases with different row counts, a no-grad call between them (as an eval pass between steps), chunk 7
        // (a partial last chunk): stale buffer contents or a missed reset of the weight gradient would show here.
        var cases = new[] { MediumCase(), TinyDistillationCase.Random(seed: 5, examples: 2, length: 16, vocabulary: 50, topK: 5, channels: 8, prompt: 6) };
        var options = new DistillationLossOptions { Alpha = 0.5, Temperature = 2, ChunkSize = 7 };
        using var workspace = new DistillationWorkspace();
        foreach (var tiny in cases.Concat(cases))
        {
            using var scope = NewDisposeScope();
            var batch = tiny.ToBatch();
            (DistillationLossResult Result, Tensor HiddenGrad, Tensor WeightGrad) Run(DistillationWorkspace? reused)
            {
                var hidden = tiny.HiddenTensor(ScalarType.Float32).requires_grad_(true);
                var weight = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
                var result = DistillationLoss.Compute(hidden, weight, batch, options, workspace: reused);
                result.Loss.backward();
                return (result, hidden.grad!, weight.grad!);
            }
            var fresh = Run(null);
            var reused = Run(workspace);
            using (no_grad()) DistillationLoss.Compute(tiny.HiddenTensor(ScalarType.Float32), tiny.WeightTensor(ScalarType.Float32), batch, options, workspace: workspace);
            Assert.Equal(Value(fresh.Result.Loss), Value(reused.Result.Loss), 1e-6);
            Assert.True(MaxAbsDifference(fresh.HiddenGrad, reused.HiddenGrad) < 1e-6, "hidden gradients differ");
            Assert.True(MaxAbsDifference(fresh.WeightGrad, reused.WeightGrad) < 1e-6, "weight gradients differ");
        }
    }

    [Fact]
    public void Without_grad_mode_the_chunked_loss_has_the_same_value_and_no_graph()
    {
        var tiny = MediumCase();
        using var scope = NewDisposeScope();
        var options = new DistillationLossOptions { ChunkSize = 5 };
        var hidden = tiny.HiddenTensor(ScalarType.Float32).requires_grad_(true);
        var weight = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
        var withGraph = DistillationLoss.Compute(hidden, weight, tiny.ToBatch(), options);
        DistillationLossResult withoutGraph;
        using (no_grad()) withoutGraph = DistillationLoss.Compute(hidden, weight, tiny.ToBatch(), options);
        Assert.Equal(Value(withGraph.Loss), Value(withoutGraph.Loss), 1e-6);
        Assert.True(withGraph.Loss.requires_grad);
        Assert.False(withoutGraph.Loss.requires_grad);
    }

    [Fact]
    public void Gradients_reach_only_the_inputs_that_ask_for_them()
    {
        var tiny = MediumCase();
        using var scope = NewDisposeScope();
        var options = new DistillationLossOptions { ChunkSize = 8 };
        var hidden = tiny.HiddenTensor(ScalarType.Float32);
        var weight = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
        DistillationLoss.Compute(hidden, weight, tiny.ToBatch(), options).Loss.backward();
        Assert.Null(hidden.grad);
        Assert.True(Value(weight.grad!.abs().sum()) > 0);
    }

    [Fact]
    public void The_returned_tensors_survive_the_callers_dispose_scope_and_no_chunk_tensor_leaks()
    {
        var tiny = MediumCase();
        var batch = tiny.ToBatch();
        var hidden = tiny.HiddenTensor(ScalarType.Float32).requires_grad_(true);
        var weight = tiny.WeightTensor(ScalarType.Float32).requires_grad_(true);
        using var scope = NewDisposeScope();
        long before = scope.DisposablesCount;
        var result = DistillationLoss.Compute(hidden, weight, batch, new DistillationLossOptions { ChunkSize = 3 });
        result.Loss.backward();
        // Exactly the six result tensors: Loss, Kl, NllRationale, NllAnswer, Tokens, TeacherPositions.
        Assert.Equal(6, scope.DisposablesCount - before);
        Assert.True(double.IsFinite(Value(result.Kl)));
    }

    [Theory]
    [InlineData("forward")]
    [InlineData("reverse")]
    [InlineData("jsd")]
    public void Gradients_match_central_finite_differences_in_double_precision(string kind)
    {
        var tiny = TinyDistillationCase.Random(seed: 22, examples: 2, length: 6, vocabulary: 7, topK: 3, channels: 3);
        var options = new DistillationLossOptions
        {
            Alpha = 0.7, Temperature = 1.5, ChunkSize = 2, RationaleWeight = 0.4, AnswerWeight = 1.5,
            EntropyWeighting = new TeacherEntropyWeighting(1.0),
            Divergence = kind switch { "forward" => new Divergence.Forward(), "reverse" => new Divergence.Reverse(), _ => new Divergence.Jsd(0.3) },
        };
        var batch = tiny.ToBatch();
        double LossAt()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return Value(DistillationLoss.Compute(tiny.HiddenTensor(ScalarType.Float64), tiny.WeightTensor(ScalarType.Float64), batch, options).Loss);
        }

        using var scope = NewDisposeScope();
        var hidden = tiny.HiddenTensor(ScalarType.Float64).requires_grad_(true);
        var weight = tiny.WeightTensor(ScalarType.Float64).requires_grad_(true);
        DistillationLoss.Compute(hidden, weight, batch, options).Loss.backward();
        double[] hiddenGradient = hidden.grad!.data<double>().ToArray();
        double[] weightGradient = weight.grad!.data<double>().ToArray();

        const double step = 1e-6;
        double CentralDifference(double[,] values, int row, int column)
        {
            double original = values[row, column];
            values[row, column] = original + step;
            double up = LossAt();
            values[row, column] = original - step;
            double down = LossAt();
            values[row, column] = original;
            return (up - down) / (2 * step);
        }
        for (int i = 0; i < tiny.Positions; i++)
            for (int c = 0; c < tiny.Channels; c++)
                Assert.Equal(CentralDifference(tiny.Hidden, i, c), hiddenGradient[i * tiny.Channels + c], 1e-7);
        for (int v = 0; v < tiny.Vocabulary; v++)
            for (int c = 0; c < tiny.Channels; c++)
                Assert.Equal(CentralDifference(tiny.Weight, v, c), weightGradient[v * tiny.Channels + c], 1e-7);
    }
}
