using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;

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
}
