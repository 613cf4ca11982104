using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

[Collection(TorchRandomCollection.Name)] // seeds torch's one global generator
public class TestLeanAdamW
{
    public TestLeanAdamW() => TorchRuntime.EnsureLoadable();

    /// <summary>Five updates of two parameter groups from the same start and gradients; the final weights as bytes.</summary>
    static byte[][] Weights(Func<AdamW.ParamGroup[], AdamW> create)
    {
        random.manual_seed(3);
        var matrix = nn.Parameter(randn(64, 48));
        var bias = nn.Parameter(randn(48));
        using var optimizer = create(
        [
            new AdamW.ParamGroup([matrix], 3e-3, 0.9, 0.95, weight_decay: 0.1),
            new AdamW.ParamGroup([bias], 3e-3, 0.9, 0.95, weight_decay: 0),
        ]);
        for (int step = 0; step < 5; step++)
        {
            optimizer.zero_grad();
            using var scope = NewDisposeScope();
            var loss = (matrix.sin().sum(dim: 0) * bias).pow(2).sum() + matrix.pow(3).mean();
            loss.backward();
            Assert.True(matrix.grad is not null && bias.grad is not null, "no gradient reached the parameters");
            optimizer.step();
        }
        return [matrix.detach().data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray(), bias.detach().data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray()];
    }

    [Fact]
    public void Its_updates_are_bit_identical_to_TorchSharps_AdamW()
    {
        var expected = Weights(groups => optim.AdamW(groups, 3e-3, 0.9, 0.95, weight_decay: 0.1));
        var actual = Weights(groups => new LeanAdamW(groups, 3e-3, 0.9, 0.95, 0.1));
        Assert.Equal(expected[0], actual[0]);
        Assert.Equal(expected[1], actual[1]);
        random.manual_seed(3);
        var start = randn(64, 48).data<float>().ToArray().SelectMany(BitConverter.GetBytes).ToArray();
        Assert.NotEqual(start, actual[0]); // it moved
    }
}
