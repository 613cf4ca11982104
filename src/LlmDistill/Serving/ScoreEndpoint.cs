using System.Text;
using System.Text.Json;
using LlmDistill.Scoring;

namespace LlmDistill.Serving;

/// <summary>
/// POST /v1/score, an extension llama.cpp's server lacks: the model reads a given prompt + completion (teacher forcing)
/// and returns, for every completion token, its log-probability and the top alternatives (what `llmdistill score`
/// records). Request: {"prompt": text, "completion": text | "completion_ids": [ids], "top_logprobs": 0..20}. One
/// scoring context, created on first use, serves one request at a time.
/// </summary>
sealed class ScoreEndpoint(ServedModel model) : IDisposable
{
    readonly SemaphoreSlim _gate = new(1, 1);
    TeacherForcing? _forcing;

    public async Task<object> Score(JsonElement body, CancellationToken cancel)
    {
        OpenAiRequest.CheckTarget(body, model);
        string prompt = body.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.String && p.GetString()!.Length > 0
            ? p.GetString()! : throw ApiError.BadRequest("prompt must be a non-empty string", "prompt");
        int[] completion = body.TryGetProperty("completion_ids", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? ids.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt32(out int id) ? id : throw ApiError.BadRequest("completion_ids must hold integers", "completion_ids")).ToArray()
            : body.TryGetProperty("completion", out var c) && c.ValueKind == JsonValueKind.String
                ? model.Model.Tokenize(c.GetString()!, addSpecial: false)
                : throw ApiError.BadRequest("give completion (text) or completion_ids", "completion");
        int top = OpenAiRequest.Int(body, "top_logprobs") ?? 0;
        if (top < 0 || top > ServedModel.CapturedTopK) throw ApiError.BadRequest($"top_logprobs must lie in 0..{ServedModel.CapturedTopK}", "top_logprobs");
        int[] promptIds = ChatPrompt.Tokens(model.Model, prompt);

        await _gate.WaitAsync(cancel);
        try
        {
            _forcing ??= new TeacherForcing(model.Model, model.Engine with { Parallel = 1 }, ServedModel.CapturedTopK);
            var row = new ForcedRow(0, promptIds, completion);
            if (_forcing.Problem(row) is { } problem) throw ApiError.BadRequest(problem);
            ForcedScores s = await Task.Run(() => _forcing.Score([row], cancel).Single(), cancel);
            int k = s.TopK;
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

    string Piece(int id) => Encoding.UTF8.GetString(model.Model.Vocab.TokenToPiece(id, special: true));

    public void Dispose() => _forcing?.Dispose();
}
