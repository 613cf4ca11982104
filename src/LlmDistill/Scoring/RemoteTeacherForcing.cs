using System.Text.Json;
using LlmDistill.Teacher;

namespace LlmDistill.Scoring;

/// <summary>
/// Teacher forcing on servers that run `llmdistill serve` (llama.cpp's own server and the OpenAI API cannot score given
/// tokens): each row is POSTed to a server's /v1/score as prompt_ids + completion_ids (read as given, no template),
/// with top_logprobs = top-k or, for a row with <see cref="ForcedRow.AtIds"/>, those ids as at_ids. Rows are spread
/// over all servers with <see cref="RemoteTeacherOptions.Concurrency"/> in flight each (so the next row waits at a
/// server while one is read), retried on 429, 5xx and time-outs; a row the server refuses (400: ids outside its
/// vocabulary, longer than its context) comes back with the server's reason as its error.
/// </summary>
internal sealed class RemoteTeacherForcing : IForcedScorer
{
    readonly TeacherServers _servers;
    readonly int _topK;
    long _decoded;

    /// <summary>Connects (asks the first server for its model id unless options name one). topK: alternatives per token, ≤ 20.</summary>
    public RemoteTeacherForcing(RemoteTeacherOptions options, int topK, int defaultConcurrency)
    {
        if (topK < 1 || topK > RemoteTeacher.MaxTopK) throw new ArgumentException($"a remote teacher returns at most {RemoteTeacher.MaxTopK} alternatives per token; capture top-k is {topK}");
        _topK = topK;
        _servers = new TeacherServers(options, defaultConcurrency);
    }

    /// <summary>The model id requested from the servers.</summary>
    public string ModelId => _servers.ModelId;

    /// <summary>The servers' base URLs.</summary>
    public IReadOnlyList<Uri> Servers => _servers.Servers;

    /// <inheritdoc/>
    public long DecodedTokens => Interlocked.Read(ref _decoded);

    /// <inheritdoc/>
    public TimeSpan LlamaDecode => TimeSpan.Zero;

    /// <inheritdoc/>
    public IEnumerable<ForcedScores> Score(IEnumerable<ForcedRow> rows, CancellationToken cancel = default)
    {
        Interlocked.Exchange(ref _decoded, 0);
        return _servers.Spread(rows, Send, cancel);
    }

    async Task<ForcedScores> Send(ForcedRow row, Uri server, CancellationToken cancel)
    {
        var answer = await _servers.PostAsync(server, "score", Request(row), cancel).ConfigureAwait(false);
        if (answer.Refused is { } refusal) return new ForcedScores(row.Index, _topK, [], [], [], [], $"the remote teacher at {server} refused the row: {refusal}");
        var scores = Parse(row, answer.Text, server);
        // What the server's llama_decode read: the prompt and every completion token but the last.
        if (row.Completion.Length > 0) Interlocked.Add(ref _decoded, row.Prompt.Length + row.Completion.Length - 1);
        return scores;
    }

    /// <summary>The /v1/score body: {"model", "prompt_ids", "completion_ids", "top_logprobs", "at_ids": [[K ids] per token]}.</summary>
    string Request(ForcedRow row)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", _servers.ModelId);
            WriteIds(json, "prompt_ids", row.Prompt);
            WriteIds(json, "completion_ids", row.Completion);
            json.WriteNumber("top_logprobs", _topK);
            if (row.AtIds is { } at)
            {
                json.WriteStartArray("at_ids");
                // A length that is not n × K is sent as it is, cut into rows of K: the server refuses it with the reason.
                for (int start = 0; start < at.Length; start += _topK)
                {
                    json.WriteStartArray();
                    for (int j = start; j < Math.Min(at.Length, start + _topK); j++) json.WriteNumberValue(at[j]);
                    json.WriteEndArray();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    static void WriteIds(Utf8JsonWriter json, string name, int[] ids)
    {
        json.WriteStartArray(name);
        foreach (int id in ids) json.WriteNumberValue(id);
        json.WriteEndArray();
    }

    /// <summary>/v1/score's answer: tokens[i] = {id, logprob, tail_mass, top_logprobs: [{id, logprob}] best first} → row-major arrays.</summary>
    ForcedScores Parse(ForcedRow row, string text, Uri server)
    {
        using var document = JsonDocument.Parse(text);
        var tokens = document.RootElement.GetProperty("tokens");
        int n = row.Completion.Length;
        if (tokens.GetArrayLength() != n)
            throw new InvalidDataException($"the remote teacher at {server} scored {tokens.GetArrayLength()} tokens of a row with {n} completion tokens");
        var sampled = new float[n];
        var tail = new float[n];
        var topIds = new int[n * _topK];
        var topLogprobs = new float[n * _topK];
        int t = 0;
        foreach (var token in tokens.EnumerateArray())
        {
            if (token.GetProperty("id").GetInt32() != row.Completion[t])
                throw new InvalidDataException($"the remote teacher at {server} scored token {token.GetProperty("id").GetInt32()} at position {t}, not the {row.Completion[t]} sent");
            sampled[t] = token.GetProperty("logprob").GetSingle();
            tail[t] = token.GetProperty("tail_mass").GetSingle();
            var alternatives = token.GetProperty("top_logprobs");
            if (alternatives.GetArrayLength() != _topK)
                throw new InvalidDataException($"the remote teacher at {server} returned {alternatives.GetArrayLength()} alternatives at token {t}, not the {_topK} asked for");
            int j = t * _topK;
            foreach (var alternative in alternatives.EnumerateArray())
            {
                topIds[j] = alternative.GetProperty("id").GetInt32();
                topLogprobs[j++] = alternative.GetProperty("logprob").GetSingle();
            }
            t++;
        }
        return new ForcedScores(row.Index, _topK, sampled, topIds, topLogprobs, tail);
    }

    public void Dispose() => _servers.Dispose();
}
