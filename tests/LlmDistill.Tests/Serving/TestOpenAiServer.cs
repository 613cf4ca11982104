using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using Microsoft.Extensions.AI;
using OpenAI;

namespace LlmDistill.Tests.Serving;

/// <summary>The real server on loopback, called by HttpClient and by the official OpenAI .NET client.</summary>
public sealed class TestOpenAiServer(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    HttpClient Http => fixture.Http;

    static string Chat(string content, string extra = "") =>
        $$"""{"model":"tiny","messages":[{"role":"user","content":{{JsonSerializer.Serialize(content)}}}],"temperature":0,"max_tokens":16{{extra}}}""";

    async Task<JsonElement> Post(string path, string json, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var response = await Http.PostAsync(path, ServerFixture.Json(json));
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Reads an SSE stream: the data payloads before [DONE] (asserting [DONE] came).</summary>
    static async Task<List<JsonElement>> Events(HttpResponseMessage response)
    {
        var events = new List<JsonElement>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        bool done = false;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
            if (line == "data: [DONE]") { done = true; break; }
            events.Add(JsonDocument.Parse(line[6..]).RootElement.Clone());
        }
        Assert.True(done, "the stream ended without data: [DONE]");
        return events;
    }

    [Fact]
    public async Task Health_and_models_describe_the_served_model()
    {
        var health = JsonDocument.Parse(await Http.GetStringAsync("/health")).RootElement;
        Assert.Equal("ok", health.GetProperty("status").GetString());
        var models = JsonDocument.Parse(await Http.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("list", models.GetProperty("object").GetString());
        Assert.Equal("tiny", models.GetProperty("data")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_greedy_chat_completion_is_what_the_model_writes_with_usage_and_logprobs()
    {
        var json = await Post("/v1/chat/completions", Chat("How many apples?", ""","logprobs":true,"top_logprobs":5"""));
        int[] prompt = ChatPrompt.Tokens(fixture.Model, [("user", "How many apples?")]);
        Completion expected = await fixture.Server.Model.CompleteAsync(prompt, SamplingSettings.Greedy, 16);
        var choice = json.GetProperty("choices")[0];
        Assert.Equal(expected.Text, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(prompt.Length, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(expected.TokenIds.Length, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var content = choice.GetProperty("logprobs").GetProperty("content");
        Assert.Equal(expected.TokenIds, content.EnumerateArray().Select(t => t.GetProperty("id").GetInt32()));
        foreach (var token in content.EnumerateArray())
        {
            var top = token.GetProperty("top_logprobs");
            Assert.Equal(5, top.GetArrayLength());
            // Greedy: the chosen token is the best alternative, and its logprob is that alternative's.
            Assert.Equal(token.GetProperty("id").GetInt32(), top[0].GetProperty("id").GetInt32());
            Assert.Equal(token.GetProperty("logprob").GetSingle(), top[0].GetProperty("logprob").GetSingle(), 4);
        }
    }

    [Fact]
    public async Task A_streamed_chat_adds_up_to_the_whole_answer_then_finish_usage_and_done()
    {
        string whole = (await Post("/v1/chat/completions", Chat("Count the pears."))).GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
        using var response = await Http.PostAsync("/v1/chat/completions", ServerFixture.Json(Chat("Count the pears.", ""","stream":true,"stream_options":{"include_usage":true}""")));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        var events = await Events(response);
        var text = new StringBuilder();
        string? finish = null;
        JsonElement? usage = null;
        foreach (var e in events)
        {
            Assert.Equal("chat.completion.chunk", e.GetProperty("object").GetString());
            if (e.GetProperty("choices").GetArrayLength() == 0) { usage = e.GetProperty("usage"); continue; }
            var choice = e.GetProperty("choices")[0];
            if (choice.GetProperty("delta").TryGetProperty("content", out var c)) text.Append(c.GetString());
            if (choice.GetProperty("finish_reason").ValueKind == JsonValueKind.String) finish = choice.GetProperty("finish_reason").GetString();
        }
        Assert.Equal(whole, text.ToString());
        Assert.Contains(finish, new[] { "stop", "length" });
        Assert.NotNull(usage);
    }

    [Fact]
    public async Task Sixty_four_simultaneous_streams_all_finish_unmixed()
    {
        int[][] prompts = fixture.Prompts(4);
        string[] texts = prompts.Select(p => fixture.Model.Vocab.Detokenize(p)).ToArray();
        string[] expected = new string[4];
        for (int i = 0; i < 4; i++)
            expected[i] = (await Post("/v1/completions", $$"""{"prompt":{{JsonSerializer.Serialize(texts[i])}},"temperature":0,"max_tokens":12}"""))
                .GetProperty("choices")[0].GetProperty("text").GetString()!;
        var streams = Enumerable.Range(0, 64).Select(async i =>
        {
            string request = "{\"prompt\":" + JsonSerializer.Serialize(texts[i % 4]) + ""","temperature":0,"max_tokens":12,"stream":true,"stream_options":{"include_usage":true}}""";
            using var response = await Http.PostAsync("/v1/completions", ServerFixture.Json(request));
            var events = await Events(response);
            string text = string.Concat(events.Where(e => e.GetProperty("choices").GetArrayLength() > 0).Select(e => e.GetProperty("choices")[0].GetProperty("text").GetString()));
            int tokens = events.Single(e => e.GetProperty("choices").GetArrayLength() == 0).GetProperty("usage").GetProperty("completion_tokens").GetInt32();
            return (i, text, tokens);
        }).ToArray();
        foreach (var (i, text, tokens) in await Task.WhenAll(streams))
        {
            Assert.Equal(expected[i % 4], text);
            Assert.Equal(12, tokens);
        }
    }

    [Fact]
    public async Task The_official_openai_client_through_microsoft_extensions_ai_gets_the_same_answer()
    {
        var options = new OpenAIClientOptions { Endpoint = fixture.Server.BaseUrl };
        IChatClient client = new OpenAI.Chat.ChatClient("tiny", new ApiKeyCredential("unused"), options).AsIChatClient();
        var response = await client.GetResponseAsync("How many apples?", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 });
        var direct = await Post("/v1/chat/completions", Chat("How many apples?"));
        Assert.Equal(direct.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString(), response.Text);
        Assert.Equal(direct.GetProperty("usage").GetProperty("completion_tokens").GetInt32(), (int)response.Usage!.OutputTokenCount!);

        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync("How many apples?", new ChatOptions { Temperature = 0, MaxOutputTokens = 16 }))
            streamed.Append(update.Text);
        Assert.Equal(response.Text, streamed.ToString());
    }

    [Theory]
    [InlineData("{not json", 400, "invalid_request_error", null)]
    [InlineData("""{"model":"gpt-9","messages":[{"role":"user","content":"hi"}]}""", 404, "invalid_request_error", "model_not_found")]
    [InlineData("""{"messages":[]}""", 400, "invalid_request_error", null)]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}""", 400, "invalid_request_error", null)]
    [InlineData("""{"messages":[{"role":"user","content":"hi"}],"top_logprobs":50,"logprobs":true}""", 400, "invalid_request_error", null)]
    public async Task Bad_requests_get_openai_error_objects(string json, int status, string type, string? code)
    {
        var error = (await Post("/v1/chat/completions", json, (HttpStatusCode)status)).GetProperty("error");
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Score_returns_the_logprobs_the_model_gave_the_tokens_it_wrote()
    {
        var written = await Post("/v1/completions", """{"prompt":"Once upon a time","temperature":0,"max_tokens":8,"logprobs":3}""");
        var logprobs = written.GetProperty("choices")[0].GetProperty("logprobs");
        int[] ids = logprobs.GetProperty("token_ids").EnumerateArray().Select(x => x.GetInt32()).ToArray();
        float[] generatedLogprobs = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(x => x.GetSingle()).ToArray();
        var scored = await Post("/v1/score", $$"""{"model":"tiny","prompt":"Once upon a time","completion_ids":[{{string.Join(",", ids)}}],"top_logprobs":3}""");
        var tokens = scored.GetProperty("tokens").EnumerateArray().ToArray();
        Assert.Equal(ids, tokens.Select(t => t.GetProperty("id").GetInt32()));
        // Teacher forcing reads the same tokens in one pass that generation read one by one: equal within a few 1/64-nat steps.
        for (int i = 0; i < ids.Length; i++)
        {
            Assert.Equal(generatedLogprobs[i], tokens[i].GetProperty("logprob").GetSingle(), 0.05f);
            Assert.Equal(3, tokens[i].GetProperty("top_logprobs").GetArrayLength());
        }
        var error = (await Post("/v1/score", """{"prompt":"x"}""", HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal("completion", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Score_reads_prompt_ids_as_given_and_at_ids_at_exactly_those_ids()
    {
        int[] prompt = ChatPrompt.Tokens(fixture.Model, "Once upon a time");
        int[] completion = fixture.Model.Tokenize(" there lived a cat", addSpecial: false);
        string ids = string.Join(",", completion);
        var byText = await Post("/v1/score", $$"""{"prompt":"Once upon a time","completion_ids":[{{ids}}],"top_logprobs":3}""");
        var byIds = await Post("/v1/score", $$"""{"prompt_ids":[{{string.Join(",", prompt)}}],"completion_ids":[{{ids}}],"top_logprobs":3}""");
        Assert.Equal(byText.GetProperty("prompt_tokens").GetInt32(), byIds.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(byText.GetProperty("tokens").ToString(), byIds.GetProperty("tokens").ToString());

        // The same three ids per token, given worst first: read at them, returned best first with the same log-probabilities.
        var tokens = byIds.GetProperty("tokens").EnumerateArray().ToArray();
        var top = tokens.Select(t => t.GetProperty("top_logprobs").EnumerateArray().Select(a => (Id: a.GetProperty("id").GetInt32(), Logprob: a.GetProperty("logprob").GetSingle())).ToArray()).ToArray();
        string at = string.Join(",", top.Select(alternatives => "[" + string.Join(",", alternatives.Reverse().Select(a => a.Id)) + "]"));
        var atIds = await Post("/v1/score", $$"""{"prompt_ids":[{{string.Join(",", prompt)}}],"completion_ids":[{{ids}}],"at_ids":[{{at}}]}""");
        var read = atIds.GetProperty("tokens").EnumerateArray().ToArray();
        for (int t = 0; t < completion.Length; t++)
        {
            var alternatives = read[t].GetProperty("top_logprobs").EnumerateArray().Select(a => (Id: a.GetProperty("id").GetInt32(), Logprob: a.GetProperty("logprob").GetSingle())).ToArray();
            Assert.Equal(top[t].Select(a => a.Id), alternatives.Select(a => a.Id));
            for (int j = 0; j < 3; j++) Assert.Equal(top[t][j].Logprob, alternatives[j].Logprob, 1e-5f);
            // The tail is what the returned alternatives leave, at full float precision.
            Assert.Equal(1 - alternatives.Sum(a => Math.Exp(a.Logprob)), read[t].GetProperty("tail_mass").GetDouble(), 1e-5);
            Assert.Equal(tokens[t].GetProperty("logprob").GetSingle(), read[t].GetProperty("logprob").GetSingle(), 1e-5f);
        }
    }

    [Theory]
    [InlineData("""{"prompt":"x","prompt_ids":[1],"completion_ids":[2]}""", "prompt_ids", "not both")]
    [InlineData("""{"prompt_ids":[1,"a"],"completion_ids":[2]}""", "prompt_ids", "must hold integers")]
    [InlineData("""{"prompt_ids":[],"completion_ids":[2]}""", null, "no prompt tokens")]
    [InlineData("""{"prompt_ids":[1,99999999],"completion_ids":[2]}""", null, "token id 99999999 is outside the teacher's vocabulary")]
    [InlineData("""{"prompt_ids":[1],"completion_ids":[2,3],"at_ids":[[4,5]]}""", "at_ids", "holds 1 arrays for 2 completion tokens")]
    [InlineData("""{"prompt_ids":[1],"completion_ids":[2,3],"at_ids":[[4,5],[6]]}""", "at_ids", "the same number of ids for every token")]
    [InlineData("""{"prompt_ids":[1],"completion_ids":[2],"at_ids":[[4,5]],"top_logprobs":3}""", "top_logprobs", "must equal the 2 ids per token")]
    [InlineData("""{"prompt_ids":[1],"completion_ids":[2],"at_ids":[[4,-5]]}""", null, "top-k id -5 is outside the teacher's vocabulary")]
    [InlineData("""{"prompt_ids":[1],"completion_ids":[2],"at_ids":[[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21]]}""", "at_ids", "1..20 ids per token, not 21")]
    public async Task Bad_score_requests_get_a_400_naming_the_field(string json, string? param, string message)
    {
        var error = (await Post("/v1/score", json, HttpStatusCode.BadRequest)).GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString());
        if (param is not null) Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        string huge = Chat(new string('x', (int)fixture.Server.Settings.MaxRequestBytes + 10));
        // Expect: 100-continue, as clients sending large bodies do: the server answers 413 before the body is sent, so the
        // answer is not lost to a connection closed while the client is still writing (a race that failed this test once).
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = ServerFixture.Json(huge) };
        request.Headers.ExpectContinue = true;
        using var response = await Http.SendAsync(request);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {body}");
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Contains("larger than", error.GetProperty("message").GetString());
    }
}

/// <summary>Servers with settings of their own: a key, a one-slot queue.</summary>
[Collection(TinyTeacherCollection.Name)]
public sealed class TestOpenAiServerLimits(TinyTeacherFixture teachers)
{
    [Fact]
    public async Task With_an_api_key_v1_needs_the_bearer_key_and_health_does_not()
    {
        await using var server = await OpenAiServer.StartAsync(ServerFixture.Settings(teachers.Qwen2Path) with { ApiKey = "s3cret" },
            new ServedModel(teachers.Qwen2, ServerFixture.Settings(teachers.Qwen2Path).Engine, name: "tiny"));
        using var http = new HttpClient { BaseAddress = server.Address };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        using var denied = await http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal("invalid_api_key", JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        http.DefaultRequestHeaders.Authorization = new("Bearer", "wrong");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/v1/models")).StatusCode);
        http.DefaultRequestHeaders.Authorization = new("Bearer", "s3cret");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/v1/models")).StatusCode);
        server.Model.Dispose();
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_its_generation()
    {
        // A context long enough that the generation cannot finish before the closed connection is noticed.
        var settings = ServerFixture.Settings(teachers.Qwen2Path) with { Engine = new() { Parallel = 1, ContextPerSequence = 8192, Threads = 1 } };
        await using var server = await OpenAiServer.StartAsync(settings, new ServedModel(teachers.Qwen2, settings.Engine, name: "tiny"));
        using var http = new HttpClient { BaseAddress = server.Address };
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
               { Content = ServerFixture.Json("""{"prompt":"Once upon a time","temperature":0,"max_tokens":8000,"stream":true}""") })
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line && !line.StartsWith("data: ", StringComparison.Ordinal)) { }
        } // closes the connection mid-stream
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (server.Model.CancelledCount == 0 && clock.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(20);
        Assert.Equal(1, server.Model.CancelledCount);
        server.Model.Dispose();
    }

    [Fact]
    public async Task A_full_queue_answers_429_while_accepted_requests_finish()
    {
        var settings = ServerFixture.Settings(teachers.Qwen2Path) with { QueueLimit = 1, Engine = new() { Parallel = 1, ContextPerSequence = 256, Threads = 1 } };
        await using var server = await OpenAiServer.StartAsync(settings, new ServedModel(teachers.Qwen2, settings.Engine, 1, "tiny"));
        using var http = new HttpClient { BaseAddress = server.Address };
        var calls = Enumerable.Range(0, 6).Select(_ => http.PostAsync("/v1/completions",
            ServerFixture.Json("""{"prompt":"Once upon a time","temperature":0,"max_tokens":60}"""))).ToArray();
        var responses = await Task.WhenAll(calls);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var busy = responses.First(r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("rate_limit_exceeded", JsonDocument.Parse(await busy.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString());
        foreach (var r in responses) r.Dispose();
        server.Model.Dispose();
    }
}
