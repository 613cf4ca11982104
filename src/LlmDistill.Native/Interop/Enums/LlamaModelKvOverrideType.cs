namespace LlmDistill.Native;

/// <summary>enum llama_model_kv_override_type (llama.h).</summary>
public enum LlamaModelKvOverrideType
{
    Int = 0,
    Float = 1,
    Bool = 2,
    Str = 3,
}
