namespace LlmDistill.Native;

/// <summary>enum llama_context_type (llama.h).</summary>
public enum LlamaContextType
{
    Default = 0,
    Mtp = 1,
}
