using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Serving;

[Collection(TinyTeacherCollection.Name)]
public sealed class TestServedModel(TinyTeacherFixture teachers)
{
    static readonly EngineOptions Engine = new() { Parallel = 4, ContextPerSequence = 256, Threads = 1 };

    int[] Greedy(int[] prompt, int maxTokens)
    {
        using var generator = new BatchedGenerator(teachers.Qwen2, Engine.Generator(5));
        return generator.Generate([new GenerationRequest(0, prompt, SamplingSettings.Greedy, maxTokens)]).Single().TokenIds;
    }

    [Fact]
    public async Task Concurrent_callers_each_get_what_the_generator_writes_for_their_prompt_alone()
    {
        using var served = new ServedModel(teachers.Qwen2, Engine);
        int[][] prompts = teachers.Prompts(teachers.Qwen2, 6);
        var expected = prompts.Select(p => Greedy(p, 12)).ToArray();
        // 24 callers at once over 4 sequence slots: requests join and leave the running batch.
        var calls = Enumerable.Range(0, 24).Select(i => Task.Run(() => served.CompleteAsync(prompts[i % 6], SamplingSettings.Greedy, 12))).ToArray();
        var results = await Task.WhenAll(calls);
        for (int i = 0; i < results.Length; i++) Assert.Equal(expected[i % 6], results[i].TokenIds);
    }

    [Fact]
    public async Task Streamed_text_deltas_add_up_to_the_final_text_even_with_a_stop_string()
    {
        using var served = new ServedModel(teachers.Qwen2, Engine);
        int[] prompt = teachers.Prompts(teachers.Qwen2, 1)[0];
        string free = (await served.CompleteAsync(prompt, SamplingSettings.Greedy, 24)).Text;
        string stop = free.Length > 12 ? free.Substring(8, 3) : free[^2..];
        var deltas = new List<string>();
        var tokens = new List<int>();
        var c = await served.CompleteAsync(prompt, SamplingSettings.Greedy, 24, [stop], t => { lock (deltas) { deltas.Add(t.TextDelta); tokens.Add(t.TokenId); } });
        Assert.Equal(FinishReason.Stop, c.FinishReason);
        Assert.Equal(c.Text, string.Concat(deltas));
        Assert.Equal(c.TokenIds, tokens);
        Assert.DoesNotContain(stop, c.Text);
    }

    [Fact]
    public async Task A_caller_that_cancels_gets_cancelled_and_its_sequence_is_freed()
    {
        using var served = new ServedModel(teachers.Qwen2, Engine);
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        var call = served.CompleteAsync(teachers.Prompts(teachers.Qwen2, 1)[0], SamplingSettings.Greedy, 200, observer: _ =>
        {
            if (Interlocked.Increment(ref seen) == 3) cancel.Cancel();
        }, cancel: cancel.Token);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.InRange(seen, 3, 5);
        Assert.Equal(1, served.CancelledCount);
        // The slot is free again: a new request runs to its end.
        Assert.Equal(5, (await served.CompleteAsync(teachers.Prompts(teachers.Qwen2, 1)[0], SamplingSettings.Greedy, 5)).TokenIds.Length);
    }

    [Fact]
    public async Task A_full_queue_refuses_at_once_and_shutdown_finishes_what_was_accepted()
    {
        var served = new ServedModel(teachers.Qwen2, Engine with { Parallel = 1 }, queueLimit: 1);
        int[] prompt = teachers.Prompts(teachers.Qwen2, 1)[0];
        var accepted = new List<Task<Completion>>();
        QueueFullException? refused = null;
        for (int i = 0; i < 6 && refused is null; i++)
        {
            try { accepted.Add(served.CompleteAsync(prompt, SamplingSettings.Greedy, 40)); }
            catch (QueueFullException e) { refused = e; }
        }
        Assert.NotNull(refused);
        Assert.Equal(1, refused.Limit);
        served.Dispose(); // graceful: every accepted request still completes
        foreach (var task in accepted) Assert.Equal(40, (await task).TokenIds.Length);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => served.CompleteAsync(prompt, SamplingSettings.Greedy, 4));
    }

    /// <summary>A two-shot prefix (over 2 × the prompt cache's minimum) followed by each fixture question.</summary>
    int[][] FewShotPrompts(int count)
    {
        int[] prefix = teachers.Qwen2.Tokenize(string.Concat(Enumerable.Repeat(
            "Solve step by step. Q: Tom has 3 apples and buys 4 more. A: 3 + 4 = 7. #### 7\nQ: Ann had 9 pears and ate 2. A: 9 - 2 = 7. #### 7\n", 2)), addSpecial: false);
        Assert.True(prefix.Length >= 2 * BatchedGenerator.PromptCacheMinTokens, $"the prefix has only {prefix.Length} tokens");
        return teachers.Prompts(teachers.Qwen2, count).Select(q => (int[])[.. prefix, .. q]).ToArray();
    }

    static int SharedLength(int[] a, int[] b)
    {
        int i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i]) i++;
        return i;
    }

    static async Task<Completion[]> AllAtOnce(ServedModel served, int[][] prompts, int maxTokens) =>
        await Task.WhenAll(prompts.Select(p => served.CompleteAsync(p, SamplingSettings.Greedy, maxTokens)).ToArray());

    /// <summary>Same tokens, and per position the same top-5 within a trace's storage step (a near tie at the list's edge may fall either way).</summary>
    static void AssertSameCompletion(Completion expected, Completion actual)
    {
        Assert.Equal(expected.TokenIds, actual.TokenIds);
        const int k = 5;
        for (int t = 0; t < expected.TokenIds.Length; t++)
        {
            var a = Enumerable.Range(t * expected.TopK, k).ToDictionary(j => expected.TopIds[j], j => expected.TopLogprobs[j]);
            var b = Enumerable.Range(t * actual.TopK, k).ToDictionary(j => actual.TopIds[j], j => actual.TopLogprobs[j]);
            float edge = Math.Min(a.Values.Min(), b.Values.Min());
            foreach (var (id, logprob) in a)
                if (b.TryGetValue(id, out float other)) Assert.Equal(logprob, other, TopKEncoding.Step);
                else Assert.True(logprob - edge < TopKEncoding.Step, $"alternative {id} ({logprob}) is missing at token {t}");
        }
    }

    [Fact]
    public async Task Concurrent_requests_sharing_a_prefix_complete_the_same_with_and_without_the_prompt_cache()
    {
        int[][] prompts = FewShotPrompts(8);
        Completion[] cached, plain;
        using (var served = new ServedModel(teachers.Qwen2, Engine)) cached = await AllAtOnce(served, prompts, 12);
        using (var served = new ServedModel(teachers.Qwen2, Engine, promptCache: false))
        {
            plain = await AllAtOnce(served, prompts, 12);
            Assert.Equal(0, served.Stats!.CachedPromptTokens);
        }
        for (int i = 0; i < prompts.Length; i++) AssertSameCompletion(plain[i], cached[i]);
    }

    [Fact]
    public async Task A_wave_of_requests_sharing_a_prefix_decodes_it_once()
    {
        int[][] prompts = FewShotPrompts(4);
        // Every pair shares the same leading tokens (the prefix and the start of the question), so the count is exact
        // whichever request the generator happens to take first.
        int shared = SharedLength(prompts[0], prompts[1]);
        for (int i = 0; i < prompts.Length; i++)
            for (int j = i + 1; j < prompts.Length; j++) Assert.Equal(shared, SharedLength(prompts[i], prompts[j]));

        using var served = new ServedModel(teachers.Qwen2, Engine); // 4 slots: the 4 requests run together
        await AllAtOnce(served, prompts, 4);
        served.Shutdown(TimeSpan.FromSeconds(30));

        Assert.Equal(3L * shared, served.Stats!.CachedPromptTokens);
        Assert.Equal(prompts.Sum(p => p.Length) - 3L * shared, served.Stats.PromptTokens);
    }

    [Fact]
    public async Task A_prompt_repeated_exactly_decodes_only_its_last_token_and_completes_the_same()
    {
        int[] prompt = FewShotPrompts(1)[0];
        using var served = new ServedModel(teachers.Qwen2, Engine);
        var first = await served.CompleteAsync(prompt, SamplingSettings.Greedy, 10);
        var again = await served.CompleteAsync(prompt, SamplingSettings.Greedy, 10);
        served.Shutdown(TimeSpan.FromSeconds(30));

        AssertSameCompletion(first, again);
        Assert.Equal(prompt.Length - 1, served.Stats!.CachedPromptTokens);
        Assert.Equal(prompt.Length + 1, served.Stats.PromptTokens);
    }
}
