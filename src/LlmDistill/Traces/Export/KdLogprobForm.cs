namespace LlmDistill.Traces.Export;

/// <summary>
/// How a kd-topk line holds the teacher's alternatives; both are read by Axolotl's KD plugin
/// (src/axolotl/integrations/kd/chat_template.py), by different loaders.
/// </summary>
public enum KdLogprobForm
{
    /// <summary>
    /// <c>logprobs</c> = [n][k] floats and <c>target_token_ids</c> = [n][k] ints: what
    /// <c>type: axolotl.integrations.kd.chat_template</c> reads (its default loader, ChatTemplateStrategyWithKDv2).
    /// </summary>
    Lists,
    /// <summary>
    /// <c>logprobs</c> = [n][k] of <c>{"token": "token_id:&lt;id&gt;", "logprob": x}</c>, vLLM's OpenAI-compatible
    /// form with token ids: what <c>type: axolotl.integrations.kd.chat_template.load_legacy</c> reads.
    /// </summary>
    Openai,
}
