using LlmDistill.Teacher;
using LlmDistill.Traces;
using LlmDistill.Training.Data;

namespace LlmDistill.Training.OnPolicy;

/// <summary>
/// One round's on-policy data, step (a): the student, exported to GGUF, answers prompts of the teacher's training
/// traces in llama.cpp (batched), capturing its own top-k at every sampled token; the samples become an ordinary trace
/// folder, written under a staging name and renamed when complete, so a resumed run reuses a finished round's samples
/// and never reads half of one.
/// </summary>
internal static class StudentSamples
{
    /// <summary>The distinct questions on the train side of the traces' evaluation split, in key order (a stable list to draw from).</summary>
    public static IReadOnlyList<TraceRecord> Prompts(string tracesFolder, int evaluationPercent)
    {
        var byQuestion = new SortedDictionary<string, TraceRecord>(StringComparer.Ordinal);
        foreach (var trace in TraceReader.Read(tracesFolder))
        {
            if (trace.PromptTokenIds.Length == 0 || EvaluationSplit.SideOf(trace, evaluationPercent) != TraceSplitSide.Train) continue;
            string question = $"{trace.Dataset}/{trace.Split}/{trace.ExampleId}";
            byQuestion.TryAdd(question, trace with { CompletionText = "", CompletionTokenIds = [], TopIds = [], TopLogprobs = [], TailMass = [], SampledLogprobs = [] });
        }
        return [.. byQuestion.Values];
    }

    /// <summary>The prompts of round <paramref name="round"/>: a seeded draw without replacement (all of them when <paramref name="count"/> is 0 or larger).</summary>
    public static IReadOnlyList<TraceRecord> ForRound(IReadOnlyList<TraceRecord> prompts, int count, long seed, int round)
    {
        var order = Enumerable.Range(0, prompts.Count).ToArray();
        SeededRandom.For(seed, 1_000 + round).Shuffle(order);
        int take = count == 0 ? prompts.Count : Math.Min(count, prompts.Count);
        return [.. order.Take(take).Order().Select(i => prompts[i])];
    }

    /// <summary>
    /// Samples <see cref="OnPolicyOptions.SamplesPerPrompt"/> completions per prompt from <paramref name="studentGguf"/>
    /// into <paramref name="folder"/> (which must not exist yet); returns the completion tokens written.
    /// </summary>
    public static long Write(string studentGguf, IReadOnlyList<TraceRecord> prompts, OnPolicyOptions options, long seed, int round, string folder, CancellationToken cancel)
    {
        string staging = $"{folder}.staging-{Guid.NewGuid():N}";
        try
        {
            long tokens = Sample(studentGguf, prompts, options, seed, round, staging, cancel);
            Directory.Move(staging, folder);
            return tokens;
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    static long Sample(string studentGguf, IReadOnlyList<TraceRecord> prompts, OnPolicyOptions options, long seed, int round, string staging, CancellationToken cancel)
    {
        int n = options.SamplesPerPrompt;
        using var student = GgufModel.Load(studentGguf, new GgufModelOptions { GpuLayers = options.Engine.GpuLayers });
        using var generator = new BatchedGenerator(student, options.Engine.Generator(options.TopK));
        // Each request draws from its own stream (seed, request index): the samples do not depend on batch composition.
        var sampling = new SamplingSettings(options.Temperature, TopK: 0, TopP: 1, MinP: 0, Seed: seed * 7919 + round);
        var requests = prompts.SelectMany((p, i) => Enumerable.Range(0, n).Select(s =>
            new GenerationRequest((long)i * n + s, p.PromptTokenIds, sampling, options.MaxTokens)));
        // Completions come back as they finish; they are written in request order so the folder's bytes are the same on every run.
        var completions = generator.Generate(requests, cancel).OrderBy(c => c.Index).ToList();
        cancel.ThrowIfCancellationRequested();

        var provenance = TeacherProvenance.Of(studentGguf, student.Architecture) with
        {
            Temperature = options.Temperature, TopP = 1, TopKSampling = 0, Seed = seed * 7919 + round, CaptureTopK = options.TopK,
            ContextSize = options.Engine.ContextPerSequence, MaxTokens = options.MaxTokens, Samples = n,
            PromptTemplateName = $"on-policy round {round}",
        };
        long tokens = 0;
        using (var writer = new TraceWriter(staging, provenance))
        {
            foreach (var completion in completions)
            {
                if (completion.FinishReason == FinishReason.Error || completion.TokenIds.Length == 0) continue;
                var prompt = prompts[(int)(completion.Index / n)];
                writer.Write(TraceRecord.FromCompletion(completion, prompt.Dataset, prompt.Split, prompt.ExampleId, (int)(completion.Index % n),
                    prompt.Question, prompt.GoldAnswer, prompt.PromptText, prompt.PromptTokenIds) with { Keep = true });
                tokens += completion.TokenIds.Length;
            }
        }
        return tokens;
    }
}
