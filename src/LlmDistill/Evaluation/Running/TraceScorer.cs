using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Teacher;
using LlmDistill.Traces;

namespace LlmDistill.Evaluation.Running;

/// <summary>Mean per-token divergence of a model from held-out teacher traces.</summary>
internal sealed record TraceScore(double KlTeacherModel, double NllTeacherTokens, long Tokens);

/// <summary>
/// Teacher forcing in llama.cpp: each trace's prompt and completion ids are decoded in one sequence, and at every
/// completion position the model's logits are compared with the teacher's stored top-k (<see cref="TokenDivergence"/>).
/// Uses the same engine and GGUF as answering, so the numbers describe the file that was timed.
/// </summary>
internal static class TraceScorer
{
    /// <summary>Whether a trace can be scored: it finished without error and has tokens and a captured top-k.</summary>
    public static bool Usable(TraceRecord trace) =>
        trace.FinishReason != FinishReason.Error && trace.CompletionTokenIds.Length > 0 && trace.PromptTokenIds.Length > 0 && trace.TopK > 0;

    public static TraceScore Score(GgufModel model, IReadOnlyList<TraceRecord> traces, int threads, IProgress<int>? progress = null, CancellationToken cancel = default)
    {
        var usable = traces.Where(Usable).ToArray();
        if (usable.Length == 0) throw new InvalidDataException("none of the held-out traces can be scored (each needs prompt and completion tokens and a captured top-k)");
        using var sequence = new LlamaSingleSequence(model, usable.Max(t => t.PromptTokenIds.Length + t.CompletionTokenIds.Length), threads);
        double kl = 0, nll = 0;
        long tokens = 0;
        int done = 0;
        foreach (var trace in usable)
        {
            cancel.ThrowIfCancellationRequested();
            int promptLength = trace.PromptTokenIds.Length, k = trace.TopK;
            int[] input = [.. trace.PromptTokenIds, .. trace.CompletionTokenIds.AsSpan(0, trace.CompletionTokenIds.Length - 1)];
            sequence.Clear();
            // The logits at position p predict token p + 1; completion token t sits at promptLength + t.
            sequence.Feed(input, p => p >= promptLength - 1, (p, logits) =>
            {
                int t = p - (promptLength - 1);
                var (tokenKl, tokenNll) = TokenDivergence.At(logits, trace.TopIds.AsSpan(t * k, k), trace.TopLogprobs.AsSpan(t * k, k), trace.TailMass[t], trace.CompletionTokenIds[t]);
                kl += tokenKl;
                nll += tokenNll;
                tokens++;
            });
            progress?.Report(++done);
        }
        return new TraceScore(kl / tokens, nll / tokens, tokens);
    }
}
