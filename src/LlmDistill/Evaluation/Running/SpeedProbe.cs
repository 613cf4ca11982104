using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Diagnostics;
using LlmDistill.Teacher;

namespace LlmDistill.Evaluation.Running;

/// <summary>Single-stream speed: prompt tokens per second read at once, and tokens per second decoded one at a time.</summary>
internal sealed record SpeedMeasurement(double? PrefillTokensPerS, double? DecodeTokensPerS);

/// <summary>
/// Measures a model's prefill and decode speed on a few of its own answers: the prompt is decoded in one go (prefill),
/// then the answer's tokens are fed back one per llama_decode (decode; the same work as generating them, minus choosing
/// the token). One sequence alone, so the figures compare models like with like whatever the batching of the run.
/// </summary>
internal static class SpeedProbe
{
    /// <summary>Questions measured: enough to average out timer noise, few enough to cost seconds.</summary>
    public const int MaxQuestions = 4;
    /// <summary>Answer tokens decoded per question.</summary>
    public const int MaxDecodeTokens = 64;

    public static SpeedMeasurement Measure(GgufModel model, IReadOnlyList<(int[] Prompt, int[] Completion)> answers, int threads)
    {
        var probes = answers.Where(a => a.Prompt.Length > 0).Take(MaxQuestions)
            .Select(a => (a.Prompt, Completion: a.Completion.Take(MaxDecodeTokens).ToArray())).ToArray();
        if (probes.Length == 0) return new SpeedMeasurement(null, null);
        using var sequence = new LlamaSingleSequence(model, probes.Max(p => p.Prompt.Length + p.Completion.Length) + 1, threads);
        // The first decode allocates llama.cpp's compute buffers; keep that out of the timings.
        sequence.Feed(probes[0].Prompt.AsSpan(0, 1), _ => true, null);

        long prefillTokens = 0, decodeTokens = 0;
        TimeSpan prefill = TimeSpan.Zero, decode = TimeSpan.Zero;
        var clock = new Stopwatch();
        foreach (var (prompt, completion) in probes)
        {
            sequence.Clear();
            clock.Restart();
            sequence.Feed(prompt, p => p == prompt.Length - 1, null);
            prefill += clock.Elapsed;
            prefillTokens += prompt.Length;
            foreach (int token in completion)
            {
                clock.Restart();
                sequence.Feed([token], _ => true, null);
                decode += clock.Elapsed;
                decodeTokens++;
            }
        }
        return new SpeedMeasurement(Rate(prefillTokens, prefill), Rate(decodeTokens, decode));
    }

    static double? Rate(long tokens, TimeSpan time) => tokens == 0 || time <= TimeSpan.Zero ? null : tokens / time.TotalSeconds;
}
