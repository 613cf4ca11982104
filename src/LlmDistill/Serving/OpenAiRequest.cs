using System.Text.Json;
using LlmDistill.Teacher;

namespace LlmDistill.Serving;

/// <summary>The fields of a /v1/chat/completions or /v1/completions request this server reads, checked one by one.</summary>
sealed record OpenAiRequest(int[] Prompt, SamplingSettings Sampling, int MaxTokens, string[] Stop, bool Stream, bool IncludeUsage,
    int TopLogprobs, bool Logprobs)
{
    /// <summary>Reads a chat (messages) or completion (prompt) request for <paramref name="served"/>; throws <see cref="ApiError"/>.</summary>
    public static OpenAiRequest Read(JsonElement body, ServedModel served, bool chat)
    {
        CheckTarget(body, served);
        if (Int(body, "n") is int n && n != 1) throw ApiError.BadRequest("only n = 1 is supported", "n");

        int[] prompt;
        if (chat)
        {
            if (!body.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
                throw ApiError.BadRequest("messages must be a non-empty array", "messages");
            prompt = ChatPrompt.Tokens(served.Model, messages.EnumerateArray().Select((m, i) => Message(m, i)).ToList());
        }
        else
        {
            if (Bool(body, "echo") == true) throw ApiError.BadRequest("echo is not supported", "echo");
            if (!body.TryGetProperty("prompt", out var p)) throw ApiError.BadRequest("prompt is required", "prompt");
            if (p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 && p[0].ValueKind == JsonValueKind.Number)
            {
                // Token ids, used as they are (how a remote-teacher client sends a prompt it rendered and tokenized itself).
                int vocab = served.Model.VocabSize;
                prompt = p.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int id) && (uint)id < (uint)vocab ? id
                    : throw ApiError.BadRequest($"prompt token ids must be integers in 0..{vocab - 1}", "prompt")).ToArray();
            }
            else
            {
                string text = p.ValueKind switch
                {
                    JsonValueKind.String => p.GetString()!,
                    JsonValueKind.Array when p.GetArrayLength() == 1 && p[0].ValueKind == JsonValueKind.String => p[0].GetString()!,
                    _ => throw ApiError.BadRequest("prompt must be a string, an array of one string, or an array of token ids", "prompt"),
                };
                if (text.Length == 0) throw ApiError.BadRequest("prompt must not be empty", "prompt");
                prompt = ChatPrompt.Tokens(served.Model, text);
            }
        }
        int room = served.Engine.ContextPerSequence - prompt.Length;
        if (room < 1) throw ApiError.BadRequest($"the prompt has {prompt.Length} tokens; this server's context holds {served.Engine.ContextPerSequence} per request", chat ? "messages" : "prompt");
        int maxTokens = Int(body, "max_completion_tokens") ?? Int(body, "max_tokens") ?? room;
        if (maxTokens < 1) throw ApiError.BadRequest("max_tokens must be at least 1", "max_tokens");

        float temperature = Float(body, "temperature") ?? 1f, topP = Float(body, "top_p") ?? 1f;
        if (temperature < 0 || temperature > 2) throw ApiError.BadRequest("temperature must lie in [0, 2]", "temperature");
        if (topP <= 0 || topP > 1) throw ApiError.BadRequest("top_p must lie in (0, 1]", "top_p");
        int topK = Int(body, "top_k") ?? 0;
        long seed = body.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : 0;

        string[] stop = body.TryGetProperty("stop", out var st) ? st.ValueKind switch
        {
            JsonValueKind.String => [st.GetString()!],
            JsonValueKind.Array => st.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw ApiError.BadRequest("stop must hold strings", "stop")).ToArray(),
            JsonValueKind.Null => [],
            _ => throw ApiError.BadRequest("stop must be a string or an array of strings", "stop"),
        } : [];

        // Chat: logprobs (bool) + top_logprobs (0..20). Completions: logprobs is the number of alternatives (0..20).
        bool logprobs; int top;
        if (chat) { logprobs = Bool(body, "logprobs") ?? false; top = Int(body, "top_logprobs") ?? 0; }
        else { int? l = Int(body, "logprobs"); logprobs = l is not null; top = l ?? 0; }
        if (top < 0 || top > ServedModel.CapturedTopK) throw ApiError.BadRequest($"top_logprobs must lie in 0..{ServedModel.CapturedTopK}", chat ? "top_logprobs" : "logprobs");
        bool stream = Bool(body, "stream") ?? false;
        bool usage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object && (Bool(so, "include_usage") ?? false);
        return new OpenAiRequest(prompt, new SamplingSettings(temperature, topK, topP, 0f, seed), maxTokens, stop, stream, usage, top, logprobs);
    }

    /// <summary>Every endpoint's first checks: the body is a JSON object and names this server's model, if any (400, 404).</summary>
    internal static void CheckTarget(JsonElement body, ServedModel served)
    {
        if (body.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("the request body must be a JSON object");
        if (body.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && model.GetString() != served.Name)
            throw new ApiError(404, "invalid_request_error", $"The model '{model.GetString()}' does not exist; this server serves '{served.Name}'.", "model", "model_not_found");
    }

    static (string Role, string Content) Message(JsonElement m, int i)
    {
        if (m.ValueKind != JsonValueKind.Object || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            throw ApiError.BadRequest($"messages[{i}] needs a role", $"messages[{i}].role");
        string content = m.TryGetProperty("content", out var c) ? c.ValueKind switch
        {
            JsonValueKind.String => c.GetString()!,
            JsonValueKind.Null => "",
            // An array of parts: the text parts, concatenated (no images here).
            JsonValueKind.Array => string.Concat(c.EnumerateArray().Select(part =>
                part.TryGetProperty("type", out var t) && t.GetString() == "text" && part.TryGetProperty("text", out var tx) ? tx.GetString()
                : throw ApiError.BadRequest($"messages[{i}].content may only hold text parts", $"messages[{i}].content"))),
            _ => throw ApiError.BadRequest($"messages[{i}].content must be a string or an array of text parts", $"messages[{i}].content"),
        } : "";
        return (role.GetString()!, content);
    }

    internal static int? Int(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int i) ? i
        : throw ApiError.BadRequest($"{name} must be an integer", name);

    static float? Float(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind == JsonValueKind.Number ? v.GetSingle()
        : throw ApiError.BadRequest($"{name} must be a number", name);

    static bool? Bool(JsonElement o, string name) =>
        !o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null ? null
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw ApiError.BadRequest($"{name} must be true or false", name);
}
