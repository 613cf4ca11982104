using LlmDistill.Runtime;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Training;

/// <summary>
/// A small random distillation problem held as plain arrays: student hidden states and output projection, and a
/// teacher trace per example. Converts itself to tensors and evaluates the loss with <see cref="ReferenceLoss"/>.
/// Teacher log-probabilities are rounded to float first, as stored traces are, so both sides see the same numbers.
/// </summary>
sealed class TinyDistillationCase
{
    public required int Examples, Length, Vocabulary, TopK, Channels;
    public required double[,] Hidden;        // (N, C)
    public required double[,] Weight;        // (V, C)
    public required long[] Targets;          // (N)
    public required long[] Spans;            // (N)
    public required bool[] Present;          // (N)
    public required int[][] TopKIds;         // (N)(K)
    public required double[][] TopKLogprobs; // (N)(K), float-rounded
    public required double[] Tail;           // (N), float-rounded
    public required double[] ExampleWeights; // (B)

    public int Positions => Examples * Length;

    /// <summary>
    /// Random case. Each example: the first <paramref name="prompt"/> positions are prompt, then rationale, the last
    /// two are answer; example b ≥ 1 ends with b padding positions. One rationale position has no teacher.
    /// </summary>
    public static TinyDistillationCase Random(int seed, int examples = 2, int length = 6, int vocabulary = 7, int topK = 3, int channels = 4, int prompt = 2)
    {
        var random = new Random(seed);
        int n = examples * length;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var hidden = new double[n, channels];
        var weight = new double[vocabulary, channels];
        for (int i = 0; i < n; i++) for (int c = 0; c < channels; c++) hidden[i, c] = Normal();
        for (int v = 0; v < vocabulary; v++) for (int c = 0; c < channels; c++) weight[v, c] = Normal();

        var spans = new long[n];
        var present = new bool[n];
        var ids = new int[n][];
        var logprobs = new double[n][];
        var tail = new double[n];
        var targets = new long[n];
        for (int b = 0; b < examples; b++)
            for (int t = 0; t < length; t++)
            {
                int i = b * length + t;
                int padding = b;
                spans[i] = t < prompt || t >= length - padding ? 0 : t >= length - padding - 2 ? 2 : 1;
                present[i] = spans[i] != 0 && !(b == 0 && t == prompt);
                double[] teacher = ReferenceLoss.Softmax(Enumerable.Range(0, vocabulary).Select(_ => 2 * Normal()).ToArray());
                ids[i] = Enumerable.Range(0, vocabulary).OrderByDescending(v => teacher[v]).Take(topK).ToArray();
                logprobs[i] = ids[i].Select(v => (double)(float)Math.Log(teacher[v])).ToArray();
                tail[i] = (float)Math.Max(0, 1 - logprobs[i].Sum(Math.Exp));
                targets[i] = random.Next(vocabulary);
            }
        double[] exampleWeights = Enumerable.Range(0, examples).Select(b => 1.0 + 0.5 * b).ToArray();
        return new TinyDistillationCase
        {
            Examples = examples, Length = length, Vocabulary = vocabulary, TopK = topK, Channels = channels,
            Hidden = hidden, Weight = weight, Targets = targets, Spans = spans, Present = present,
            TopKIds = ids, TopKLogprobs = logprobs, Tail = tail, ExampleWeights = exampleWeights,
        };
    }

    public DistillationBatch ToBatch()
    {
        TorchRuntime.EnsureLoadable();
        long[] bt = [Examples, Length];
        return new DistillationBatch(
            InputIds: zeros(bt, ScalarType.Int64),
            TargetIds: tensor(Targets).reshape(bt),
            SpanKinds: tensor(Spans).reshape(bt),
            TeacherTopKIds: tensor(TopKIds.SelectMany(r => r.Select(id => (long)id)).ToArray()).reshape(Examples, Length, TopK),
            TeacherTopKLogprobs: tensor(TopKLogprobs.SelectMany(r => r.Select(x => (float)x)).ToArray()).reshape(Examples, Length, TopK),
            TeacherTailMass: tensor(Tail.Select(x => (float)x).ToArray()).reshape(bt),
            TeacherPresent: tensor(Present).reshape(bt),
            ExampleWeights: tensor(ExampleWeights.Select(x => (float)x).ToArray()));
    }

    public Tensor HiddenTensor(ScalarType type) => tensor(Hidden, type);
    public Tensor WeightTensor(ScalarType type) => tensor(Weight, type);

    /// <summary>Student logits at position <paramref name="i"/>: hidden[i] · Wᵀ.</summary>
    public double[] Logits(int i) => Enumerable.Range(0, Vocabulary)
        .Select(v => Enumerable.Range(0, Channels).Sum(c => Hidden[i, c] * Weight[v, c])).ToArray();

    /// <summary>Logits (N, V) as a tensor.</summary>
    public Tensor LogitsTensor(ScalarType type)
    {
        var logits = new double[Positions, Vocabulary];
        for (int i = 0; i < Positions; i++) { double[] row = Logits(i); for (int v = 0; v < Vocabulary; v++) logits[i, v] = row[v]; }
        return tensor(logits, type);
    }

    public sealed record Expected(double Loss, double Kl, double NllRationale, double NllAnswer, int Tokens, int TeacherPositions);

    /// <summary>
    /// The loss by the specification: KL = Σ w·D / Σ w over positions with a teacher (w = example weight, times
    /// exp(−H/scale) with entropy weighting), NLL = Σ w·s·(−ln q(y)) / Σ w·s (s = span weight), L = α·T²·KL + (1 − α)·NLL.
    /// </summary>
    public Expected Reference(string divergence, double alpha, double temperature, double beta = 0.5,
        double rationaleWeight = 1, double answerWeight = 1, double? entropyScale = null)
    {
        double klSum = 0, klWeights = 0, nllSum = 0, nllWeights = 0;
        double rationaleSum = 0, rationaleWeights = 0, answerSum = 0, answerWeights = 0;
        int tokens = 0, teacherPositions = 0;
        for (int i = 0; i < Positions; i++)
        {
            if (Spans[i] == 0) continue;
            tokens++;
            double w = ExampleWeights[i / Length];
            double[] q = ReferenceLoss.Softmax(Logits(i));
            double nll = -Math.Log(q[Targets[i]]);
            double spanWeight = Spans[i] == 1 ? rationaleWeight : answerWeight;
            nllSum += w * spanWeight * nll;
            nllWeights += w * spanWeight;
            if (Spans[i] == 1) { rationaleSum += w * nll; rationaleWeights += w; }
            else { answerSum += w * nll; answerWeights += w; }
            if (!Present[i]) continue;
            teacherPositions++;
            double[] p = ReferenceLoss.CoarseTeacher(TopKLogprobs[i], Tail[i]);
            double klWeight = w * (entropyScale is { } scale ? Math.Exp(-ReferenceLoss.Entropy(p) / scale) : 1);
            double d = ReferenceLoss.Divergence(divergence,
                ReferenceLoss.Soften(p, temperature),
                ReferenceLoss.Soften(ReferenceLoss.CoarseStudent(q, TopKIds[i]), temperature), beta);
            klSum += klWeight * d;
            klWeights += klWeight;
        }
        double kl = klSum / klWeights, nllMean = nllSum / nllWeights;
        return new Expected(alpha * temperature * temperature * kl + (1 - alpha) * nllMean, kl,
            rationaleSum / rationaleWeights, answerSum / answerWeights, tokens, teacherPositions);
    }
}
