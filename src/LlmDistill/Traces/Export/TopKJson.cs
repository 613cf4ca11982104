using System.Text.Json;

namespace LlmDistill.Traces.Export;

/// <summary>
/// A trace's top-k alternatives as JSON arrays, one entry per completion token, best first: either two parallel
/// [n][k] lists of ids and log-probabilities, or vLLM's OpenAI-compatible entries
/// <c>{"token": "token_id:&lt;id&gt;", "logprob": x}</c> (the form vLLM returns with return_tokens_as_token_ids).
/// </summary>
public static class TopKJson
{
    public const string TokenIdPrefix = "token_id:";

    /// <summary>[n][k] ids, the first <paramref name="k"/> alternatives of each token.</summary>
    public static void WriteIds(Utf8JsonWriter json, string name, TraceRecord row, int k)
    {
        json.WriteStartArray(name);
        for (int t = 0; t < row.CompletionTokenCount; t++)
        {
            json.WriteStartArray();
            for (int j = 0; j < k; j++) json.WriteNumberValue(row.TopIds[t * row.TopK + j]);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <summary>[n][k] log-probabilities (nats, temperature 1), the first <paramref name="k"/> of each token.</summary>
    public static void WriteLogprobs(Utf8JsonWriter json, string name, TraceRecord row, int k)
    {
        json.WriteStartArray(name);
        for (int t = 0; t < row.CompletionTokenCount; t++)
        {
            json.WriteStartArray();
            for (int j = 0; j < k; j++) json.WriteNumberValue(row.TopLogprobs[t * row.TopK + j]);
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }

    /// <summary>[n][k] of <c>{"token": "token_id:ID", "logprob": x}</c>.</summary>
    public static void WriteOpenAi(Utf8JsonWriter json, string name, TraceRecord row, int k)
    {
        Span<byte> token = stackalloc byte[32];
        int prefix = System.Text.Encoding.UTF8.GetBytes(TokenIdPrefix, token);
        json.WriteStartArray(name);
        for (int t = 0; t < row.CompletionTokenCount; t++)
        {
            json.WriteStartArray();
            for (int j = 0; j < k; j++)
            {
                int i = t * row.TopK + j;
                System.Buffers.Text.Utf8Formatter.TryFormat(row.TopIds[i], token[prefix..], out int digits);
                json.WriteStartObject();
                json.WriteString("token"u8, token[..(prefix + digits)]);
                json.WriteNumber("logprob"u8, row.TopLogprobs[i]);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndArray();
    }
}
