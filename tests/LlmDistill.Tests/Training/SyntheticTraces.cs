using System.Text.Json.Nodes;
using LlmDistill.Runtime;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

/// <summary>
/// Teacher traces of a learnable toy task over token ids below 50, made on demand: each sequence counts in steps of d modulo
/// <see cref="Modulus"/> (tokens 10 + (s + t·d) mod M), d ∈ {1, 2, 3} given by the first token. Position 0 is prompt (its target is
/// random), the last two are answer, the rest rationale; the teacher puts 0.9 on the
/// true next token and spreads the rest over K − 1 others. Batch i is a pure function of (seed, i), as the trainer's
/// resume contract asks; held-out batches come from another seed range.
/// </summary>
sealed class SyntheticTraces(int batchSize = 4, int length = 24, int topK = 4, long batchesPerEpoch = 1024, int evalBatches = 4, int seed = 1) : ITrainingBatches
{
    public const int Modulus = 40;

    static SyntheticTraces() => TorchRuntime.EnsureLoadable();

    /// <summary>Throws when asked for this micro-batch number (to test failures mid-run).</summary>
    public long? FailAt { get; init; }

    public long? BatchesPerEpoch => batchesPerEpoch;

    /// <summary>Batches numbered from the position's <c>index</c>; the position after batch i is i + 1.</summary>
    public IEnumerable<PositionedBatch> Train(JsonNode? position)
    {
        for (long index = position?["index"]?.GetValue<long>() ?? 0; ; index++)
        {
            if (index == FailAt) throw new IOException($"synthetic failure reading batch {index}");
            yield return new PositionedBatch(Make(new Random(HashCode.Combine(seed, index))), new JsonObject { ["index"] = index + 1 });
        }
    }

    public IEnumerable<DistillationBatch> Eval()
    {
        for (int i = 0; i < evalBatches; i++) yield return Make(new Random(HashCode.Combine(seed, -1 - i)));
    }

    DistillationBatch Make(Random random)
    {
        int n = batchSize * length;
        var inputs = new long[n];
        var targets = new long[n];
        var spans = new long[n];
        var ids = new long[n * topK];
        var logprobs = new float[n * topK];
        var tail = new float[n];
        var present = new bool[n];
        for (int b = 0; b < batchSize; b++)
        {
            int step = 1 + random.Next(3), start = random.Next(Modulus);
            long Token(int t) => t == 0 ? step : 10 + (start + t * step) % Modulus; // position 0 names the step
            for (int t = 0; t < length; t++)
            {
                int i = b * length + t;
                inputs[i] = Token(t);
                targets[i] = Token(t + 1);
                spans[i] = t == 0 ? SpanKind.Ignore : t >= length - 2 ? SpanKind.Answer : SpanKind.Rationale; // position 0's target is random
                present[i] = spans[i] != SpanKind.Ignore;
                ids[i * topK] = targets[i];
                logprobs[i * topK] = MathF.Log(0.9f);
                for (int k = 1; k < topK; k++)
                {
                    ids[i * topK + k] = 10 + (targets[i] - 10 + k) % Modulus;
                    logprobs[i * topK + k] = MathF.Log(0.08f / (topK - 1));
                }
                tail[i] = 0.02f;
            }
        }
        return new DistillationBatch(
            tensor(inputs).reshape(batchSize, length),
            tensor(targets).reshape(batchSize, length),
            tensor(spans).reshape(batchSize, length),
            tensor(ids).reshape(batchSize, length, topK),
            tensor(logprobs).reshape(batchSize, length, topK),
            tensor(tail).reshape(batchSize, length),
            tensor(present).reshape(batchSize, length),
            ones(batchSize));
    }
}
