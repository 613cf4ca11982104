using LlmDistill.Runtime;
using LlmDistill.Training.Data;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training.Data;

public class TestTraceCollator
{
    static readonly TraceExampleBuilder Builder = new(LoaderTraces.Vocabulary);

    public TestTraceCollator() => TorchRuntime.EnsureLoadable();

    static TraceExample Example(string prompt, string completion, int topK = 2) =>
        Builder.Build(LoaderTraces.Row(prompt, completion, topK: topK), out _)!;

    [Fact]
    public void Padded_length_is_the_longest_rounded_up_to_the_multiple_but_never_past_the_maximum()
    {
        Assert.Equal(16, TraceCollator.PaddedLength(11, 8, 2048));
        Assert.Equal(16, TraceCollator.PaddedLength(16, 8, 2048));
        Assert.Equal(11, TraceCollator.PaddedLength(11, 1, 2048));
        Assert.Equal(12, TraceCollator.PaddedLength(11, 8, 12));
    }

    [Fact]
    public void A_batch_pads_on_the_right_with_span_0_and_no_teacher_and_validates()
    {
        var shortOne = Example("Q", "#### 1");                 // 1 + 7 tokens: 7 positions
        var longOne = Example("Q?", "3+2=5.\n#### 5");       // 2 + 14 tokens: 15 positions
        using var scope = NewDisposeScope();
        var batch = TraceCollator.Collate([shortOne, longOne], TraceCollator.PaddedLength(15, 8, 2048), padId: LoaderTraces.EndOfText);
        batch.Validate();
        Assert.Equal([2L, 16L, 2L], batch.TeacherTopKIds.shape);

        long[] inputs = batch.InputIds.data<long>().ToArray(), targets = batch.TargetIds.data<long>().ToArray(), spans = batch.SpanKinds.data<long>().ToArray();
        bool[] present = batch.TeacherPresent.data<bool>().ToArray();
        float[] logprobs = batch.TeacherTopKLogprobs.data<float>().ToArray(), tail = batch.TeacherTailMass.data<float>().ToArray();
        long[] topIds = batch.TeacherTopKIds.data<long>().ToArray();
        foreach (var (example, row) in new[] { (shortOne, 0), (longOne, 1) })
            for (int t = 0; t < 16; t++)
            {
                int at = row * 16 + t;
                if (t >= example.Length)
                {
                    Assert.Equal((LoaderTraces.EndOfText, SpanKind.Ignore, false), (inputs[at], spans[at], present[at]));
                    Assert.All(logprobs.AsSpan(at * 2, 2).ToArray(), lp => Assert.Equal(float.NegativeInfinity, lp));
                    continue;
                }
                Assert.Equal(example.TokenIds[t], inputs[at]);
                Assert.Equal(example.TokenIds[t + 1], targets[at]);
                Assert.Equal(example.SpanKinds[t], spans[at]);
                int j = example.CompletionIndexAt(t);
                Assert.Equal(j >= 0, present[at]);
                if (j < 0) continue;
                // the toy teacher's top-1 at completion token j is that token, log p = −(j + 1)/100, tail (j + 1)/1000
                Assert.Equal(targets[at], topIds[at * 2]);
                Assert.Equal(-(j + 1) / 100f, logprobs[at * 2]);
                Assert.Equal((j + 1) / 1000f, tail[at]);
            }
        Assert.Equal([1f, 1f], batch.ExampleWeights.data<float>().ToArray());
    }

    [Fact]
    public void Examples_with_fewer_candidates_fill_the_spare_slots_with_minus_infinity()
    {
        var two = Example("Q", "#### 1", topK: 2);
        var none = Example("Q", "#### 2", topK: 0);
        var three = Example("Q", "#### 3", topK: 3);
        using var scope = NewDisposeScope();
        var batch = TraceCollator.Collate([two, none, three], 7, padId: 0);
        batch.Validate();
        Assert.Equal(3, batch.TopK);
        var logprobs = batch.TeacherTopKLogprobs;                                   // (3, 7, 3)
        Assert.True(logprobs[0, .., 2].isneginf().all().item<bool>());
        Assert.True(logprobs[0, .., ..2].isfinite().all().item<bool>());
        Assert.False(batch.TeacherPresent[1].any().item<bool>());
        Assert.True(batch.TeacherPresent[2].all().item<bool>());
        Assert.Equal(SpanKind.Answer, batch.SpanKinds[1, 6].item<long>());         // no teacher, still a likelihood target
    }
}
