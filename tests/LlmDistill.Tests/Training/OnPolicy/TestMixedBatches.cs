using LlmDistill.Training;
using LlmDistill.Training.OnPolicy;

namespace LlmDistill.Tests.Training.OnPolicy;

/// <summary>The on-policy round's data: λ of the micro-batches from the student's samples, the stream reopened at any saved position.</summary>
public class TestMixedBatches
{
    static (bool OnPolicy, string Position)[] Read(MixedBatches source, System.Text.Json.Nodes.JsonNode? from, int count) =>
        [.. source.Train(from).Take(count).Select(b => { var r = (b.Batch.DivergenceOnly, b.Next.ToJsonString()); b.Batch.Dispose(); return r; })];

    static MixedBatches Mixed(double lambda, int round = 1) =>
        new(new SyntheticTraces(seed: 1), new SyntheticTraces(seed: 2), lambda, seed: 5, round);

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    public void About_lambda_of_the_micro_batches_are_the_students_and_train_divergence_only(double lambda)
    {
        var batches = Read(Mixed(lambda), null, 400);
        double share = batches.Count(b => b.OnPolicy) / 400.0;
        // Binomial sd at n = 400 is at most 2.5 points: 4 sd.
        Assert.InRange(share, lambda - 0.1, lambda + 0.1);
        if (lambda is 0 or 1) Assert.Equal(lambda, share);
    }

    [Fact]
    public void Reopened_at_a_saved_position_the_stream_continues_with_the_same_batches()
    {
        var straight = Read(Mixed(0.5), null, 60);
        var head = Read(Mixed(0.5), null, 23);
        var tail = Read(Mixed(0.5), System.Text.Json.Nodes.JsonNode.Parse(head[^1].Position), 37);
        Assert.Equal(straight, head.Concat(tail).ToArray());
    }

    [Fact]
    public void A_new_round_restarts_the_students_stream_and_continues_the_teachers()
    {
        var roundOne = Read(Mixed(0.5, round: 1), null, 30);
        var position = System.Text.Json.Nodes.JsonNode.Parse(roundOne[^1].Position)!;
        var first = Read(Mixed(0.5, round: 2), position, 1)[0];
        var next = System.Text.Json.Nodes.JsonNode.Parse(first.Position)!;

        Assert.Equal(2, next["round"]!.GetValue<int>());
        Assert.Equal(1, next["micro"]!.GetValue<long>());
        long teacherBefore = position["teacher"]!["index"]!.GetValue<long>();
        long teacherAfter = next["teacher"]!["index"]!.GetValue<long>();
        Assert.Equal(first.OnPolicy ? teacherBefore : teacherBefore + 1, teacherAfter);
        if (first.OnPolicy) Assert.Equal(1, next["student"]!["index"]!.GetValue<long>());
        else Assert.Null(next["student"]);
    }
}
