namespace LlmDistill.Native;

/// <summary>enum llama_lazy_mode (llama.h).</summary>
public enum LlamaLazyMode
{
    Off = 0,
    Auto = 1,
    On = 2,
}
