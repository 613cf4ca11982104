namespace LlmDistill.Native;

/// <summary>enum llama_rope_type (llama.h; values from GGML_ROPE_TYPE_* in ggml.h).</summary>
public enum LlamaRopeType
{
    None = -1,
    Norm = 0,
    Neox = 2,
    Mrope = 8,
    Imrope = 40,
    Vision = 24,
}
