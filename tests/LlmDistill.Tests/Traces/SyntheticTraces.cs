using LlmDistill.Teacher;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

/// <summary>
/// Trace rows whose numbers look like a teacher's, from a seed. Token ids come from a Zipf(1) law over a 150k
/// vocabulary (id = frequency rank, as BPE merge order roughly is), drawn independently at every position, which
/// is harder to compress than real text where alternatives repeat. Each position's top-k is a peaked softmax:
/// 55 % of positions are confident (the runner-up 2–15 nats below the best), the rest spread; later gaps are
/// exponential, and the rest of the vocabulary holds 5–2000 tokens' worth of the k-th probability (the tail).
/// </summary>
sealed class SyntheticTraces
{
    public const int VocabularySize = 150_000;
    const string Template = "<|im_start|>system\nYou are a careful tutor. Think step by step, then give the final answer after 'Answer:'.<|im_end|>\n<|im_start|>user\n";

    static readonly Lazy<double[]> ZipfCdf = new(() =>
    {
        var cdf = new double[VocabularySize];
        double sum = 0;
        for (int r = 0; r < VocabularySize; r++) cdf[r] = sum += 1.0 / (r + 1);
        for (int r = 0; r < VocabularySize; r++) cdf[r] /= sum;
        return cdf;
    });

    static readonly string[] Words = Enumerable.Range(0, 3000).Select(i => Word(i)).ToArray();

    readonly Random _random;
    readonly int _topK;

    public SyntheticTraces(int seed, int topK = 20)
    {
        _random = new Random(seed);
        _topK = topK;
    }

    public TraceRecord Row(string dataset, string split, int example, int sample, int minTokens = 100, int maxTokens = 500)
    {
        int n = _random.Next(minTokens, maxTokens + 1);
        int k = _topK;
        var tokenIds = new int[n];
        var sampled = new float[n];
        var topIds = new int[n * k];
        var topLogprobs = new float[n * k];
        var tail = new float[n];
        for (int t = 0; t < n; t++)
            Position(topIds.AsSpan(t * k, k), topLogprobs.AsSpan(t * k, k), out tokenIds[t], out sampled[t], out tail[t]);

        string question = Text(_random.Next(20, 60));
        string answer = _random.Next(0, 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string completion = Text(n) + " Answer: " + answer;
        return new TraceRecord
        {
            Dataset = dataset, Split = split, ExampleId = $"ex-{example:D6}", SampleIndex = sample,
            Question = question, GoldAnswer = _random.Next(4) == 0 ? null : answer,
            PromptText = Template + question + "<|im_end|>\n<|im_start|>assistant\n",
            PromptTokenIds = [.. Enumerable.Range(0, 40).Select(i => 151_000 + i), .. Ids(_random.Next(20, 60))],
            CompletionText = completion, CompletionTokenIds = tokenIds, Rationale = completion[..^(answer.Length + 9)],
            Answer = answer, FinishReason = _random.Next(10) == 0 ? FinishReason.Length : FinishReason.EndOfGeneration,
            Correct = _random.Next(3) != 0, MajorityAnswer = answer, AgreesWithMajority = true, Keep = true,
            TopK = k, SampledLogprobs = sampled, TopIds = topIds, TopLogprobs = topLogprobs, TailMass = tail,
        };
    }

    void Position(Span<int> ids, Span<float> logprobs, out int token, out float sampledLogprob, out float tailMass)
    {
        int k = ids.Length;
        var z = new double[k];
        bool confident = _random.NextDouble() < 0.55;
        double gap = 0.15 + 0.65 * _random.NextDouble();
        for (int j = 1; j < k; j++)
            z[j] = z[j - 1] - (j == 1 && confident ? 2 + Exponential(4) : Exponential(gap));
        for (int j = 0; j < k; j++)
        {
            int id;
            do id = ZipfId(); while (ids[..j].Contains(id));
            ids[j] = id;
        }
        double restTokens = Math.Exp(Math.Log(5) + (Math.Log(2000) - Math.Log(5)) * _random.NextDouble());
        double rest = k == 0 ? 1 : Math.Exp(z[k - 1]) * restTokens;
        double total = rest + z.Sum(Math.Exp);
        double logTotal = Math.Log(total);
        for (int j = 0; j < k; j++) logprobs[j] = (float)(z[j] - logTotal);
        tailMass = (float)(rest / total);

        double u = _random.NextDouble() * total;
        for (int j = 0; j < k; j++)
        {
            u -= Math.Exp(z[j]);
            if (u < 0) { token = ids[j]; sampledLogprob = logprobs[j]; return; }
        }
        do token = ZipfId(); while (ids.Contains(token));
        sampledLogprob = (float)((k == 0 ? 0 : z[k - 1]) - Exponential(1) - logTotal);
    }

    double Exponential(double mean) => -mean * Math.Log(1 - _random.NextDouble());

    int ZipfId()
    {
        int i = Array.BinarySearch(ZipfCdf.Value, _random.NextDouble());
        return Math.Min(i < 0 ? ~i : i, VocabularySize - 1);
    }

    int[] Ids(int count) => Enumerable.Range(0, count).Select(_ => ZipfId()).ToArray();

    string Text(int tokens) => string.Join(' ', Enumerable.Range(0, tokens).Select(_ => Words[Math.Min(ZipfId() % 4000, Words.Length - 1)]));

    static string Word(int i)
    {
        const string letters = "etaoinshrdlucmfwypvbgkqjxz";
        var chars = new char[2 + i % 6];
        for (int c = 0; c < chars.Length; c++) chars[c] = letters[(i * 7 + c * 13 + i / 26) % letters.Length];
        return new string(chars);
    }
}
