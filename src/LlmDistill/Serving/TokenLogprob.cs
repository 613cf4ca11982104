using System.Text;
using LlmDistill.Teacher;

namespace LlmDistill.Serving;

/// <summary>One generated token with its log-probability (nats) and the model's top alternatives at that position.</summary>
/// <param name="Id">Token id.</param>
/// <param name="Token">The token's text (a piece of a UTF-8 character renders as U+FFFD; <paramref name="Bytes"/> are exact).</param>
/// <param name="Bytes">The token's bytes.</param>
/// <param name="Logprob">log p(token) under the model.</param>
/// <param name="Top">The top-20 alternatives, best first.</param>
public sealed record TokenLogprob(int Id, string Token, byte[] Bytes, float Logprob, IReadOnlyList<TokenLogprob.Alternative> Top)
{
    /// <summary>One alternative at a position.</summary>
    public sealed record Alternative(int Id, string Token, byte[] Bytes, float Logprob);

    /// <summary>Per token of a finished completion.</summary>
    public static IReadOnlyList<TokenLogprob> From(GgufModel model, Completion c) =>
        Enumerable.Range(0, c.TokenIds.Length).Select(i => Make(model, c.TokenIds[i], c.SampledLogprobs[i],
            c.TopIds.AsSpan(i * c.TopK, c.TopK).ToArray(), c.TopLogprobs.AsSpan(i * c.TopK, c.TopK).ToArray())).ToArray();

    /// <summary>For a streamed token.</summary>
    public static TokenLogprob From(GgufModel model, GeneratedToken t) => Make(model, t.TokenId, t.Logprob, t.TopIds, t.TopLogprobs);

    static TokenLogprob Make(GgufModel model, int id, float logprob, int[] topIds, float[] topLogprobs)
    {
        byte[] bytes = model.Vocab.TokenToPiece(id, special: true);
        var top = new Alternative[topIds.Length];
        for (int j = 0; j < top.Length; j++)
        {
            byte[] b = model.Vocab.TokenToPiece(topIds[j], special: true);
            top[j] = new Alternative(topIds[j], Encoding.UTF8.GetString(b), b, topLogprobs[j]);
        }
        return new TokenLogprob(id, Encoding.UTF8.GetString(bytes), bytes, logprob, top);
    }
}
