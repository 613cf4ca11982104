using System.Threading.Channels;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Teacher;

[Collection(TinyTeacherCollection.Name)]
public class TestBatchedGenerator(TinyTeacherFixture teachers)
{
    static GeneratorOptions Options(int parallel, int topK = 20) => new() { Parallel = parallel, ContextPerSequence = 256, TopK = topK, IgnoreEndOfGeneration = true };

    Completion[] Run(GgufModel teacher, GeneratorOptions options, IEnumerable<GenerationRequest> requests, int[]? sharedPrefix = null) =>
        Run(teacher, options, requests, sharedPrefix, out _);

    Completion[] Run(GgufModel teacher, GeneratorOptions options, IEnumerable<GenerationRequest> requests, int[]? sharedPrefix, out GenerationStats stats)
    {
        using var generator = new BatchedGenerator(teacher, options);
        var completions = generator.Generate(requests, sharedPrefix: sharedPrefix).OrderBy(c => c.Index).ToArray();
        stats = generator.LastStats!;
        return completions;
    }

    /// <summary>Asserts equal greedy tokens, allowing a parting only where the top-2 logprobs were within float noise.</summary>
    static void AssertSameGreedyTokens(Completion expected, Completion actual, string what)
    {
        int k = expected.TopK;
        int parted = Enumerable.Range(0, Math.Min(expected.TokenIds.Length, actual.TokenIds.Length)).FirstOrDefault(i => expected.TokenIds[i] != actual.TokenIds[i], -1);
        if (parted < 0) { Assert.Equal(expected.TokenIds.Length, actual.TokenIds.Length); return; }
        float gap = expected.TopLogprobs[parted * k] - expected.TopLogprobs[parted * k + 1];
        Assert.True(gap < 1e-4, $"{what}: request {expected.Index} parted at token {parted} although its top-2 gap is {gap}");
    }

    GenerationRequest[] Greedy(GgufModel teacher, int count, int maxTokens) =>
        teachers.Prompts(teacher, count).Select((p, i) => new GenerationRequest(i, p, SamplingSettings.Greedy, maxTokens)).ToArray();

    [Fact]
    public void Greedy_generation_is_the_same_for_8_sequences_batched_and_one_at_a_time()
    {
        var requests = Greedy(teachers.Llama, 8, 24);
        var batched = Run(teachers.Llama, Options(8), requests);
        var single = requests.Select(r => Run(teachers.Llama, Options(1), [r]).Single()).ToArray();

        for (int r = 0; r < requests.Length; r++)
        {
            Assert.Equal(24, batched[r].TokenIds.Length);
            AssertSameGreedyTokens(single[r], batched[r], "batched vs single");
        }
    }

    [Fact]
    public void A_shared_prefix_decoded_once_gives_the_completions_of_full_prompts()
    {
        int[] prefix = teachers.Qwen2.Tokenize("Solve step by step. Q: Tom has 3 apples and buys 4 more. A: 3 + 4 = 7. #### 7\n", addSpecial: false);
        var requests = teachers.Prompts(teachers.Qwen2, 6).Select((q, i) => new GenerationRequest(i, [.. prefix, .. q], SamplingSettings.Greedy, 12)).ToArray();
        var plain = Run(teachers.Qwen2, Options(4), requests, null, out var plainStats);
        var shared = Run(teachers.Qwen2, Options(4), requests, prefix, out var sharedStats);

        Assert.Equal(plainStats.PromptTokens - 5 * prefix.Length, sharedStats.PromptTokens);
        for (int r = 0; r < requests.Length; r++)
        {
            AssertSameGreedyTokens(plain[r], shared[r], "shared prefix vs full prompt");
            for (int t = 0; t < 3; t++) Assert.Equal(plain[r].TopLogprobs[t * 20], shared[r].TopLogprobs[t * 20], 2e-3);
        }
    }

    [Fact]
    public void Prompts_of_nearby_lengths_read_together_are_padded_and_complete_as_they_do_alone()
    {
        // One to four extra tokens: close enough that padding to the longest is cheaper than one micro-batch per length.
        string[] questions = ["How many?", "How many apples?", "How many apples are left?", "How many red apples are left now?"];
        var requests = questions.Select((q, i) => new GenerationRequest(i, teachers.Qwen2.Tokenize(q, addSpecial: false), SamplingSettings.Greedy, 10)).ToArray();
        Assert.True(requests.Select(r => r.PromptTokens.Length).Distinct().Count() > 1, "the prompts must differ in length");

        var together = Run(teachers.Qwen2, Options(4), requests, null, out var stats);
        var alone = requests.Select(r => Run(teachers.Qwen2, Options(1), [r]).Single()).ToArray();

        int longest = requests.Max(r => r.PromptTokens.Length);
        Assert.Equal(requests.Sum(r => longest - r.PromptTokens.Length), stats.PaddingTokens);
        Assert.Equal(requests.Sum(r => r.PromptTokens.Length), stats.PromptTokens);
        for (int r = 0; r < requests.Length; r++)
        {
            Assert.Equal(10, together[r].TokenIds.Length);
            AssertSameGreedyTokens(alone[r], together[r], "padded vs alone");
            for (int t = 0; t < 10; t++) Assert.Equal(alone[r].TopLogprobs[t * 20], together[r].TopLogprobs[t * 20], 2e-3);
        }
    }

    [Fact]
    public void A_second_run_on_the_same_generator_repeats_the_first_exactly()
    {
        // The KV cache is reset without zeroing its buffers between runs: nothing of the first run may leak into the second.
        int[] prefix = teachers.Qwen2.Tokenize("Solve step by step. Q: 2 + 2? A: 4.\n", addSpecial: false);
        var requests = teachers.Prompts(teachers.Qwen2, 5).Select((q, i) => new GenerationRequest(i, [.. prefix, .. q], SamplingSettings.Greedy, 8)).ToArray();
        using var generator = new BatchedGenerator(teachers.Qwen2, Options(3));
        var first = generator.Generate(requests, sharedPrefix: prefix).OrderBy(c => c.Index).ToArray();
        var second = generator.Generate(requests, sharedPrefix: prefix).OrderBy(c => c.Index).ToArray();

        Assert.Equal(first.Select(c => c.TokenIds), second.Select(c => c.TokenIds));
        Assert.Equal(first.Select(c => c.TopLogprobs), second.Select(c => c.TopLogprobs));
    }

    [Fact]
    public void Captured_top_k_equals_an_independent_log_softmax_of_the_raw_logits()
    {
        var seen = new Dictionary<(long, int), double[]>();
        using var generator = new BatchedGenerator(teachers.Llama, Options(4));
        generator.Observer = (index, step, logits) =>
        {
            double max = double.NegativeInfinity;
            foreach (float x in logits) max = Math.Max(max, x);
            double sum = 0;
            foreach (float x in logits) sum += Math.Exp(x - max);
            double lse = max + Math.Log(sum);
            seen[(index, step)] = logits.ToArray().Select(x => x - lse).ToArray();
        };
        var completions = generator.Generate(Greedy(teachers.Llama, 6, 10)).ToArray();

        Assert.Equal(6 * 10, seen.Count);
        foreach (var c in completions)
        {
            for (int t = 0; t < c.TokenIds.Length; t++)
            {
                double[] reference = seen[(c.Index, t)];
                int[] expectedIds = Enumerable.Range(0, reference.Length).OrderByDescending(i => reference[i]).ThenBy(i => i).Take(20).ToArray();
                var ids = c.TopIds.AsSpan(t * 20, 20).ToArray();
                var logprobs = c.TopLogprobs.AsSpan(t * 20, 20).ToArray();
                Assert.Equal(expectedIds, ids);
                for (int j = 0; j < 20; j++) Assert.Equal(reference[ids[j]], logprobs[j], 1e-5);
                Assert.Equal(reference[c.TokenIds[t]], c.SampledLogprobs[t], 1e-5);
                Assert.Equal(1 - expectedIds.Sum(i => Math.Exp(reference[i])), c.TailMass[t], 1e-5);
                Assert.All(logprobs, lp => Assert.True(lp <= 0));
                for (int j = 1; j < 20; j++) Assert.True(logprobs[j - 1] >= logprobs[j]);
                Assert.InRange(c.TailMass[t], 0f, 1f);
                Assert.Equal(ids[0], c.TokenIds[t]); // greedy takes the best
            }
        }
    }

    [Fact]
    public void More_requests_than_slots_all_finish_once_and_free_their_cache()
    {
        var requests = Greedy(teachers.Qwen2, 13, 5).Select((r, i) => r with { MaxTokens = 3 + i % 5 }).ToArray();
        var completions = Run(teachers.Qwen2, Options(4), requests);
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), completions.Select(c => c.Index));
        Assert.All(completions, c => Assert.Equal(FinishReason.Length, c.FinishReason));
        Assert.Equal(requests.Select(r => r.MaxTokens), completions.Select(c => c.TokenIds.Length));
        Assert.Equal(requests.Select(r => r.PromptTokens.Length), completions.Select(c => c.PromptTokenCount));
    }

    [Fact]
    public void Seeded_sampling_gives_the_same_completions_on_every_run()
    {
        var sampling = new SamplingSettings(Temperature: 1.0f, TopK: 40, TopP: 0.95f, Seed: 11);
        var requests = teachers.Prompts(teachers.Llama, 5).Select((p, i) => new GenerationRequest(i, p, sampling, 12)).ToArray();
        var first = Run(teachers.Llama, Options(3), requests);
        var second = Run(teachers.Llama, Options(3), requests);
        Assert.Equal(first.Select(c => c.TokenIds), second.Select(c => c.TokenIds));
        Assert.NotEqual(first[0].TokenIds, first[1].TokenIds);
        var greedy = Run(teachers.Llama, Options(3), requests.Select(r => r with { Sampling = SamplingSettings.Greedy }));
        Assert.Contains(Enumerable.Range(0, 5), i => !first[i].TokenIds.SequenceEqual(greedy[i].TokenIds));
    }

    [Fact]
    public void A_prompt_longer_than_the_context_fails_alone_and_the_others_complete()
    {
        var requests = Greedy(teachers.Llama, 3, 4).ToList();
        requests.Insert(1, new GenerationRequest(99, Enumerable.Repeat(100, 300).ToArray(), SamplingSettings.Greedy, 4));
        requests.Add(new GenerationRequest(98, [teachers.Llama.VocabSize + 5], SamplingSettings.Greedy, 4));
        var completions = Run(teachers.Llama, Options(2), requests);
        var tooLong = completions.Single(c => c.Index == 99);
        Assert.Equal(FinishReason.Error, tooLong.FinishReason);
        Assert.Contains("300 tokens", tooLong.Error);
        Assert.Contains("outside the vocabulary", completions.Single(c => c.Index == 98).Error);
        Assert.Equal(3, completions.Count(c => c.FinishReason == FinishReason.Length));
    }

    [Fact]
    public void Generation_stops_at_a_stop_string_and_cuts_the_text_before_it()
    {
        var probe = Run(teachers.Llama, Options(1), [new GenerationRequest(0, teachers.Prompts(teachers.Llama, 1)[0], SamplingSettings.Greedy, 16)]).Single();
        string stop = probe.Text.Length > 12 ? probe.Text.Substring(6, 3) : probe.Text[^2..];
        var stopped = Run(teachers.Llama, Options(1), [new GenerationRequest(0, teachers.Prompts(teachers.Llama, 1)[0], SamplingSettings.Greedy, 16, [stop])]).Single();
        Assert.Equal(FinishReason.Stop, stopped.FinishReason);
        Assert.Equal(probe.Text[..probe.Text.IndexOf(stop, StringComparison.Ordinal)], stopped.Text);
        Assert.True(stopped.TokenIds.Length <= probe.TokenIds.Length);
    }

    [Fact]
    public void Cancellation_stops_between_steps()
    {
        using var cancel = new CancellationTokenSource();
        using var generator = new BatchedGenerator(teachers.Llama, Options(2));
        generator.Observer = (_, step, _) => { if (step == 3) cancel.Cancel(); };
        Assert.Throws<OperationCanceledException>(() => generator.Generate(Greedy(teachers.Llama, 4, 50), cancel.Token).ToArray());
        Assert.True(generator.LastStats!.GeneratedTokens < 4 * 50);
    }

    [Fact]
    public void Libllama_tokenization_of_the_real_vocabulary_round_trips_text()
    {
        string[] samples =
        [
            "Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
            "def f(x):\n\treturn x ** 2  # square\n", "12345678901234567890 + 0.5 = ?", "naïve café — 東京 🚀 emoji",
            "<|im_start|>user\nhi<|im_end|>", "   leading and trailing spaces   ",
        ];
        foreach (string text in samples)
        {
            int[] ids = teachers.Qwen2.Tokenize(text, addSpecial: false);
            Assert.NotEmpty(ids);
            Assert.Equal(text, teachers.Qwen2.Vocab.Detokenize(ids));
        }
    }

    /// <summary>Serves requests that are all queued before the generator starts (so they are admitted in this order, in
    /// one wave); fails rather than hangs when the run does not end.</summary>
    static Completion[] Serve(GgufModel teacher, GeneratorOptions options, GenerationRequest[] requests, bool promptCache, out GenerationStats stats)
    {
        using var generator = new BatchedGenerator(teacher, options);
        var queue = Channel.CreateUnbounded<GenerationRequest>();
        foreach (var request in requests) queue.Writer.TryWrite(request);
        queue.Writer.Complete();
        var run = Task.Run(() => generator.Serve(queue.Reader, promptCache).OrderBy(c => c.Index).ToArray());
        Assert.True(run.Wait(TimeSpan.FromSeconds(60)), "the served run did not end (a request waits for ever)");
        stats = generator.LastStats!;
        return run.Result;
    }

    /// <summary>Few-shot prompts: a prefix of over twice the prompt cache's minimum, then one fixture question each.</summary>
    int[][] FewShotPrompts(int count)
    {
        int[] prefix = teachers.Qwen2.Tokenize(string.Concat(Enumerable.Repeat("Solve step by step. Q: Tom has 3 apples and buys 4 more. A: 3 + 4 = 7. #### 7\n", 3)), addSpecial: false);
        Assert.True(prefix.Length >= 2 * BatchedGenerator.PromptCacheMinTokens, $"the prefix has only {prefix.Length} tokens");
        return teachers.Prompts(teachers.Qwen2, count).Select(q => (int[])[.. prefix, .. q]).ToArray();
    }

    [Fact]
    public void A_request_waiting_for_a_prefix_whose_reader_is_cancelled_before_reading_decodes_it_itself()
    {
        int[][] prompts = FewShotPrompts(2);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        // The first request takes the prefix's reading; the second, sharing it, waits for it; then the first is dropped.
        GenerationRequest[] requests =
        [
            new(0, prompts[0], SamplingSettings.Greedy, 8) { Cancel = cancelled.Token },
            new(1, prompts[1], SamplingSettings.Greedy, 8),
        ];
        var cached = Serve(teachers.Qwen2, Options(2), requests, promptCache: true, out var stats);
        var plain = Serve(teachers.Qwen2, Options(2), [requests[1]], promptCache: false, out _);

        Assert.Equal(FinishReason.Cancelled, cached[0].FinishReason);
        Assert.Equal(plain[0].TokenIds, cached[1].TokenIds);
        Assert.Equal(0, stats.CachedPromptTokens);
        Assert.Equal(prompts[1].Length, stats.PromptTokens);
    }

    [Fact]
    public void A_request_waiting_for_a_prefix_whose_reader_is_cancelled_midway_copies_what_was_read_and_completes_the_same()
    {
        int[][] prompts = FewShotPrompts(2);
        int[] other = teachers.Qwen2.Tokenize("Hi there", addSpecial: false);
        Assert.InRange(other.Length, 1, 4);
        int shared = Enumerable.Range(0, prompts[0].Length).First(i => prompts[0][i] != prompts[1][i]);

        Completion[] Run(bool promptCache, out GenerationStats stats)
        {
            using var cancel = new CancellationTokenSource();
            int seen = 0;
            // 8 tokens per decode: the short request's prompt and the first few-shot prompt's start, then one token of the
            // short one and 7 of the few-shot one per step; the short one's 5th token cancels the few-shot one after
            // 8 - |other| + 4 × 7 ≥ 32 of its tokens, while the second few-shot request waits for its shared prefix.
            GenerationRequest[] requests =
            [
                new(0, other, SamplingSettings.Greedy, 10) { Observer = _ => { if (++seen == 5) cancel.Cancel(); } },
                new(1, prompts[0], SamplingSettings.Greedy, 8) { Cancel = cancel.Token },
                new(2, prompts[1], SamplingSettings.Greedy, 8),
            ];
            return Serve(teachers.Qwen2, Options(3) with { BatchSize = 8 }, requests, promptCache, out stats);
        }
        var cached = Run(promptCache: true, out var stats);
        var plain = Run(promptCache: false, out _);

        Assert.Equal(FinishReason.Cancelled, cached[1].FinishReason);
        Assert.InRange(stats.CachedPromptTokens, BatchedGenerator.PromptCacheMinTokens, shared - 1);
        Assert.Equal(plain[0].TokenIds, cached[0].TokenIds);
        Assert.Equal(plain[2].TokenIds, cached[2].TokenIds);
        for (int t = 0; t < 3; t++) Assert.Equal(plain[2].TopLogprobs[t * 20], cached[2].TopLogprobs[t * 20], 2e-3);
    }
}
