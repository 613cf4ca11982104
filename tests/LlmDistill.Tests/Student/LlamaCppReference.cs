using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Student;

/// <summary>llama.cpp as the independent implementation: logits of a token sequence and a greedy continuation.</summary>
public static class LlamaCppReference
{
    /// <summary>Logits of every position of <paramref name="tokens"/> (one sequence from position 0), [T][V].</summary>
    public static float[][] Logits(LlamaModel model, int[] tokens)
    {
        using var context = CreateContext(model, tokens.Length);
        using var batch = new LlamaBatchBuffer(tokens.Length);
        for (int i = 0; i < tokens.Length; i++) batch.Add(tokens[i], i, 0, logits: true);
        context.Decode(batch);
        return Enumerable.Range(0, tokens.Length).Select(i => context.GetLogits(i).ToArray()).ToArray();
    }

    /// <summary>Arg-max continuation of <paramref name="prompt"/>, and at each step the gap between its top two logits.</summary>
    public static (int[] Tokens, float[] TopTwoGaps) Greedy(LlamaModel model, int[] prompt, int steps)
    {
        using var context = CreateContext(model, prompt.Length + steps);
        using var batch = new LlamaBatchBuffer(prompt.Length);
        for (int i = 0; i < prompt.Length; i++) batch.Add(prompt[i], i, 0, logits: i == prompt.Length - 1);
        var tokens = new int[steps];
        var gaps = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            context.Decode(batch);
            (tokens[step], gaps[step]) = ArgMaxAndGap(context.GetLogits(batch.Count - 1));
            batch.Clear();
            batch.Add(tokens[step], prompt.Length + step, 0, logits: true);
        }
        return (tokens, gaps);
    }

    public static (int Index, float Gap) ArgMaxAndGap(ReadOnlySpan<float> logits)
    {
        int best = 0;
        float first = float.NegativeInfinity, second = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            if (logits[i] > first) (second, first, best) = (first, logits[i], i);
            else if (logits[i] > second) second = logits[i];
        }
        return (best, first - second);
    }

    /// <summary>F32 KV cache and no flash attention, so nothing is rounded to F16 on the way.</summary>
    static LlamaContext CreateContext(LlamaModel model, int tokens) => model.CreateContext(new LlamaContextOptions
    {
        ContextSize = (uint)Math.Max(256, tokens),
        BatchSize = (uint)tokens,
        MicroBatchSize = (uint)tokens,
        SequenceCount = 1,
        Threads = 2,
        TypeK = GgmlType.F32,
        TypeV = GgmlType.F32,
        FlashAttention = LlamaFlashAttnType.Disabled,
    });
}
