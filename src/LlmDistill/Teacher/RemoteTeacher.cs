using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LlmDistill.Teacher;

/// <summary>
/// A teacher on OpenAI-compatible servers (vLLM, SGLang, llama.cpp's server, `llmdistill serve`): each request's prompt,
/// rendered and tokenized by the project exactly as for a local teacher, is sent as token ids to /v1/completions with
/// logprobs = capture top-k (≤ 20, the API's limit). Returned tokens become ids through the server's ids where it gives
/// them (`token_ids`/`top_token_ids` from `llmdistill serve`, the `id` of each entry of llama-server's logprobs.content,
/// vLLM's "token_id:N" with return_tokens_as_token_ids), else
/// through the tokenizer: a returned token that is not exactly one vocabulary entry is refused, never guessed. Requests
/// are spread over all servers, at most Concurrency in flight each, with retries and backoff on 429, 5xx and time-outs.
/// </summary>
public sealed class RemoteTeacher : ICompletionEngine
{
    /// <summary>Most alternatives per position the OpenAI API returns.</summary>
    public const int MaxTopK = 20;

    readonly GgufModel _tokenizer;
    readonly int _topK;
    readonly TeacherServers _servers;
    // Built once, on the first response that needs it; responses are parsed on several threads at once.
    readonly Lazy<Dictionary<string, int>> _pieceIds;

    /// <summary>Connects (asks the first server for its model id unless options name one). topK: alternatives per token.</summary>
    public RemoteTeacher(GgufModel tokenizer, RemoteTeacherOptions options, int topK, int defaultConcurrency)
    {
        if (!options.Enabled) throw new ArgumentException("a remote teacher needs at least one server URL");
        if (topK < 1 || topK > MaxTopK) throw new ArgumentException($"a remote teacher returns at most {MaxTopK} alternatives per token (the OpenAI API's limit); capture top-k is {topK}");
        _tokenizer = tokenizer;
        _topK = topK;
        _servers = new TeacherServers(options, defaultConcurrency);
        _pieceIds = new Lazy<Dictionary<string, int>>(PieceIds);
    }

    /// <summary>The model id requested from the servers.</summary>
    public string ModelId => _servers.ModelId;

    /// <summary>The servers' base URLs.</summary>
    public IReadOnlyList<Uri> Servers => _servers.Servers;

    /// <inheritdoc/>
    public GenerationStats? LastStats { get; private set; }

    /// <inheritdoc/>
    public IEnumerable<Completion> Generate(IEnumerable<GenerationRequest> requests, CancellationToken cancel = default, int[]? sharedPrefix = null)
    {
        var clock = Stopwatch.StartNew();
        long promptTokens = 0, generated = 0;
        int calls = 0;
        IEnumerable<GenerationRequest> Counted()
        {
            foreach (var request in requests) { promptTokens += request.PromptTokens.Length; yield return request; }
        }
        try
        {
            foreach (var c in _servers.Spread(Counted(), Send, cancel))
            {
                calls++;
                generated += c.TokenIds.Length;
                yield return c;
            }
        }
        finally
        {
            LastStats = new GenerationStats(promptTokens, generated, calls, clock.Elapsed, TimeSpan.Zero, 0);
        }
    }

    async Task<Completion> Send(GenerationRequest request, Uri server, CancellationToken cancel)
    {
        var sampling = request.Sampling;
        var body = new JsonObject
        {
            ["model"] = ModelId,
            ["prompt"] = new JsonArray([.. request.PromptTokens.Select(t => (JsonNode)t)]),
            ["max_tokens"] = request.MaxTokens,
            ["temperature"] = sampling.Temperature,
            ["top_p"] = sampling.TopP,
            // Draws depend on the run's seed and the request's stable stream, as locally (the server's sampler is its own).
            ["seed"] = unchecked(sampling.Seed + (request.SamplerStream ?? request.Index)),
            ["logprobs"] = _topK,
            ["return_tokens_as_token_ids"] = true,
        };
        if (sampling.TopK > 0) body["top_k"] = sampling.TopK;
        if (request.StopStrings.Count > 0) body["stop"] = new JsonArray([.. request.StopStrings.Select(s => (JsonNode)s)]);
        var answer = await _servers.PostAsync(server, "completions", body.ToJsonString(), cancel).ConfigureAwait(false);
        return answer.Refused is { } refusal
            ? Completion.Failed(request.Index, request.PromptTokens.Length, _topK, $"the remote teacher at {server} refused the request: {refusal}")
            : Parse(request, JsonDocument.Parse(answer.Text).RootElement, server);
    }

    /// <summary>One generated token as a server returned it: its id, logprob and alternatives (id, logprob), any order.</summary>
    readonly record struct ReturnedToken(int Id, float Logprob, (int Id, float Logprob)[] Alternatives);

    Completion Parse(GenerationRequest request, JsonElement response, Uri server)
    {
        var choice = response.GetProperty("choices")[0];
        string text = choice.GetProperty("text").GetString() ?? "";
        if (!choice.TryGetProperty("logprobs", out var lp) || lp.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"the remote teacher at {server} returned no logprobs; it must support the completions API's logprobs");
        // llama.cpp's llama-server answers /v1/completions in the chat API's shape (logprobs.content, ids included);
        // the others in the completions API's (parallel arrays tokens / token_logprobs / top_logprobs).
        string finish = choice.TryGetProperty("finish_reason", out var f) ? f.GetString() ?? "" : "";
        ReturnedToken[] returned;
        if (lp.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.Array)
        {
            returned = ReadContent(content, server);
            // llama-server leaves out of logprobs.content every token whose text ends inside a UTF-8 character (it waits
            // for the rest of the character, then sends the bytes with the next token's entry), so a completion with
            // such a token has positions without alternatives: it is refused rather than recorded shifted. Its usage
            // counts every token; after a stop string it also drops the stop string's tokens, so that case is not checked.
            bool stopString = finish == "stop" && (returned.Length == 0 || !_tokenizer.Vocab.IsEog(returned[^1].Id));
            if (!stopString && response.TryGetProperty("usage", out var usage) && usage.TryGetProperty("completion_tokens", out var count)
                && count.GetInt32() > returned.Length)
                return Completion.Failed(request.Index, request.PromptTokens.Length, _topK,
                    $"the remote teacher at {server} returned logprobs for {returned.Length} of the {count.GetInt32()} tokens it generated " +
                    "(llama.cpp's server leaves out tokens that end inside a UTF-8 character), so this completion cannot be recorded");
        }
        else returned = ReadCompletions(lp, server);
        int n = returned.Length;
        var ids = new int[n];
        var logprobs = new float[n];
        var topIds = new int[n * _topK];
        var topLogprobs = new float[n * _topK];
        var tail = new float[n];
        for (int i = 0; i < n; i++)
        {
            ids[i] = returned[i].Id;
            logprobs[i] = returned[i].Logprob;
            var alternatives = returned[i].Alternatives.OrderByDescending(a => a.Logprob).ToArray();
            if (alternatives.Length < _topK)
                throw new InvalidDataException($"the remote teacher at {server} returned {alternatives.Length} alternatives at token {i}, not the {_topK} asked for");
            double mass = 0;
            for (int j = 0; j < _topK; j++)
            {
                topIds[i * _topK + j] = alternatives[j].Id;
                topLogprobs[i * _topK + j] = alternatives[j].Logprob;
                mass += Math.Exp(alternatives[j].Logprob);
            }
            tail[i] = (float)Math.Max(0, 1 - mass);
        }
        var reason = finish == "length" ? FinishReason.Length
            : n > 0 && _tokenizer.Vocab.IsEog(ids[^1]) ? FinishReason.EndOfGeneration
            : FinishReason.Stop;
        return new Completion
        {
            Index = request.Index, PromptTokenCount = request.PromptTokens.Length, Text = text, FinishReason = reason, TopK = _topK,
            TokenIds = ids, SampledLogprobs = logprobs, TopIds = topIds, TopLogprobs = topLogprobs, TailMass = tail,
        };
    }

    /// <summary>The completions API's logprobs: tokens, token_logprobs and top_logprobs (text → logprob) per position.</summary>
    ReturnedToken[] ReadCompletions(JsonElement lp, Uri server)
    {
        var tokens = lp.GetProperty("tokens").EnumerateArray().Select(t => t.GetString() ?? "").ToArray();
        int[] ids = lp.TryGetProperty("token_ids", out var given) && given.ValueKind == JsonValueKind.Array
            ? given.EnumerateArray().Select(x => x.GetInt32()).ToArray()
            : tokens.Select(t => Id(t, server)).ToArray();
        float[] logprobs = lp.GetProperty("token_logprobs").EnumerateArray().Select(Logprob).ToArray();
        var tops = lp.GetProperty("top_logprobs").EnumerateArray().ToArray();
        // `llmdistill serve` also gives each position's alternatives as ids and logprobs (its top_logprobs, keyed by text,
        // merges tokens that render alike).
        JsonElement[]? topGivenIds = lp.TryGetProperty("top_token_ids", out var tg) && tg.ValueKind == JsonValueKind.Array ? tg.EnumerateArray().ToArray() : null;
        JsonElement[]? topGivenLogprobs = lp.TryGetProperty("top_token_logprobs", out var tl) && tl.ValueKind == JsonValueKind.Array ? tl.EnumerateArray().ToArray() : null;
        if (tops.Length != ids.Length || logprobs.Length != ids.Length)
            throw new InvalidDataException($"the remote teacher at {server} returned {ids.Length} tokens but {logprobs.Length} logprobs and {tops.Length} top_logprobs");
        return Enumerable.Range(0, ids.Length).Select(i => new ReturnedToken(ids[i], logprobs[i],
            topGivenIds is not null && topGivenLogprobs is not null
                ? topGivenIds[i].EnumerateArray().Zip(topGivenLogprobs[i].EnumerateArray(), (id, l) => (id.GetInt32(), l.GetSingle())).ToArray()
                : tops[i].EnumerateObject().Select(p => (Id(p.Name, server), p.Value.GetSingle())).ToArray())).ToArray();
    }

    /// <summary>
    /// llama-server's logprobs.content: per position {id, token, logprob, top_logprobs: [{id, token, logprob}]}. An entry
    /// without an id is mapped through the tokenizer like any returned text.
    /// </summary>
    ReturnedToken[] ReadContent(JsonElement content, Uri server) =>
        content.EnumerateArray().Select(t => new ReturnedToken(EntryId(t, server), Logprob(t.GetProperty("logprob")),
            t.TryGetProperty("top_logprobs", out var tops) && tops.ValueKind == JsonValueKind.Array
                ? tops.EnumerateArray().Select(a => (EntryId(a, server), Logprob(a.GetProperty("logprob")))).ToArray()
                : [])).ToArray();

    int EntryId(JsonElement entry, Uri server) =>
        entry.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number ? id.GetInt32() : Id(entry.GetProperty("token").GetString() ?? "", server);

    // A null logprob is JSON's stand-in for −∞ (probability zero).
    static float Logprob(JsonElement x) => x.ValueKind == JsonValueKind.Number ? x.GetSingle() : float.NegativeInfinity;

    /// <summary>A returned token's id: vLLM's "token_id:N", or the one vocabulary entry that renders as exactly this text.</summary>
    int Id(string token, Uri server)
    {
        if (token.StartsWith("token_id:", StringComparison.Ordinal) && int.TryParse(token.AsSpan(9), out int id)) return id;
        if (_pieceIds.Value.TryGetValue(token, out id) && id >= 0) return id;
        throw new InvalidDataException(id < 0
            ? $"the remote teacher at {server} returned the token {JsonSerializer.Serialize(token)}, which several vocabulary entries render as; use a server that returns token ids (vLLM: return_tokens_as_token_ids)"
            : $"the remote teacher at {server} returned the token {JsonSerializer.Serialize(token)}, which is not one entry of the tokenizer's vocabulary: is it the same model?");
    }

    /// <summary>Rendered text → id over the whole vocabulary; -1 marks a text several ids render as.</summary>
    Dictionary<string, int> PieceIds()
    {
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int id = 0; id < _tokenizer.VocabSize; id++)
        {
            string piece = Encoding.UTF8.GetString(_tokenizer.Vocab.TokenToPiece(id, special: true));
            map[piece] = map.ContainsKey(piece) ? -1 : id;
        }
        return map;
    }

    /// <inheritdoc/>
    public void Dispose() => _servers.Dispose();
}
