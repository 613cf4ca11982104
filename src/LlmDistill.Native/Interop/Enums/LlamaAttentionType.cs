namespace LlmDistill.Native;

/// <summary>enum llama_attention_type (llama.h).</summary>
public enum LlamaAttentionType
{
    Unspecified = -1,
    Causal = 0,
    NonCausal = 1,
}
