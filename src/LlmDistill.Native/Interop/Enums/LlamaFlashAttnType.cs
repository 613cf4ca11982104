namespace LlmDistill.Native;

/// <summary>enum llama_flash_attn_type (llama.h).</summary>
public enum LlamaFlashAttnType
{
    Auto = -1,
    Disabled = 0,
    Enabled = 1,
}
