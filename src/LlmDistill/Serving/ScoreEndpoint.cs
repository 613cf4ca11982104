using System.Text;
using System.Text.Json;
using LlmDistill.Scoring;

namespace LlmDistill.Serving;

/// <summary>
/// POST /v1/score, an extension llama.cpp's server lacks: the model reads a given prompt + completion (teacher forcing)
/// and returns, for every completion token, its log-probability, the top alternatives and the tail mass (what
/// `llmdistill score` records, so a remote `score` can run through it). Request:
/// {"prompt": text | "prompt_ids": [ids], "completion": text | "completion_ids": [ids], "top_logprobs": 0..20,
///  "at_ids": [[K ids] per completion token]}. Text prompts go through the model's chat template; prompt_ids are read
/// as given. With at_ids the alternatives are the model's log-probabilities at those K ids (sorted best first) instead
/// of its own top-K (reverse KL's support). tail_mass is 1 − Σ p over the alternatives returned (over the top 20 when
/// top_logprobs is 0). Floats are written as the shortest text that reads back to the same 32-bit value.
/// One scoring context, created on first use, serves one request at a time (requests wait their turn, in order).
/// </summary>
sealed class ScoreEndpoint(ServedModel model) : IDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    TeacherForcing? _forcing;

    public async Task<object> Score(JsonElement body, CancellationToken cancel)
    {
        OpenAiRequest.CheckTarget(body, model);
        int[] promptIds = body.TryGetProperty("prompt_ids", out var pi) && pi.ValueKind != JsonValueKind.Null
            ? (body.TryGetProperty("prompt", out var both) && both.ValueKind != JsonValueKind.Null
                ? throw ApiError.BadRequest("give prompt (text) or prompt_ids, not both", "prompt_ids") : Ids(pi, "prompt_ids"))
            : body.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String && p.GetString()!.Length > 0
                ? ChatPrompt.Tokens(model.Model, p.GetString()!) : throw ApiError.BadRequest("prompt must be a non-empty string (or give prompt_ids)", "prompt");
        int[] completion = body.TryGetProperty("completion_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? Ids(ids, "completion_ids")
            : body.TryGetProperty("completion", out var c) && c.ValueKind == JsonValueKind.String
                ? model.Model.Tokenize(c.GetString()!, addSpecial: false)
                : throw ApiError.BadRequest("give completion (text) or completion_ids", "completion");
        int? requested = OpenAiRequest.Int(body, "top_logprobs");
        if (requested is < 0 or > ServedModel.CapturedTopK) throw ApiError.BadRequest($"top_logprobs must lie in 0..{ServedModel.CapturedTopK}", "top_logprobs");
        var (atIds, atK) = body.TryGetProperty("at_ids", out var at) && at.ValueKind != JsonValueKind.Null ? AtIds(at, completion.Length) : (null, 0);
        if (atIds is not null && requested is int r && r != atK)
            throw ApiError.BadRequest($"top_logprobs ({r}) must equal the {atK} ids per token of at_ids, or be left out", "top_logprobs");
        int top = atIds is not null ? atK : requested ?? 0;
        // Alternatives read per token: those returned, or the top 20 for the tail mass when none are returned.
        int k = top > 0 ? top : ServedModel.CapturedTopK;

        await _gate.WaitAsync(cancel);
        try
        {
            _forcing ??= new TeacherForcing(model.Model, model.Engine with { Parallel = 1 }, ServedModel.CapturedTopK);
            var row = new ForcedRow(0, promptIds, completion, atIds);
            if (_forcing.Problem(row, k) is { } problem) throw ApiError.BadRequest(problem);
            ForcedScores s = await Task.Run(() => _forcing.Score([row], k, cancel).Single(), cancel);
            return new
            {
                @object = "score", model = model.Name, prompt_tokens = promptIds.Length, completion_tokens = completion.Length,
                logprob_sum = s.SampledLogprobs.Sum(x => (double)x),
                tokens = completion.Select((id, i) => new
                {
                    id, token = Piece(id), logprob = s.SampledLogprobs[i], tail_mass = s.TailMass[i],
                    top_logprobs = Enumerable.Range(i * k, top).Select(j => new { id = s.TopIds[j], token = Piece(s.TopIds[j]), logprob = s.TopLogprobs[j] }),
                }),
            };
        }
        finally
        {
            _gate.Release();
        }
    }

    static int[] Ids(JsonElement array, string name) => array.ValueKind == JsonValueKind.Array
        ? array.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int id) ? id : throw ApiError.BadRequest($"{name} must hold integers", name)).ToArray()
        : throw ApiError.BadRequest($"{name} must be an array of integers", name);

    /// <summary>at_ids: one array of K ids per completion token (nested, not flattened), K in 1..20 and the same for every token; → row-major [n × K].</summary>
    static (int[] Ids, int K) AtIds(JsonElement at, int completionTokens)
    {
        if (at.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest("at_ids must be an array with one array of ids per completion token", "at_ids");
        var rows = at.EnumerateArray().Select(row => Ids(row, "at_ids")).ToArray();
        if (rows.Length != completionTokens)
            throw ApiError.BadRequest($"at_ids holds {rows.Length} arrays for {completionTokens} completion tokens: give one per token", "at_ids");
        if (rows.Length == 0) return ([], 0);
        int k = rows[0].Length;
        if (k is < 1 or > ServedModel.CapturedTopK) throw ApiError.BadRequest($"at_ids must give 1..{ServedModel.CapturedTopK} ids per token, not {k}", "at_ids");
        if (rows.FirstOrDefault(row => row.Length != k) is { } other)
            throw ApiError.BadRequest($"at_ids must give the same number of ids for every token ({k} for the first, {other.Length} for token {Array.IndexOf(rows, other)})", "at_ids");
        return ([.. rows.SelectMany(row => row)], k);
    }

    string Piece(int id) => Encoding.UTF8.GetString(model.Model.Vocab.TokenToPiece(id, special: true));

    public void Dispose() => _forcing?.Dispose();
}
