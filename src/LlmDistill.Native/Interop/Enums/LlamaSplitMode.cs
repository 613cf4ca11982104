namespace LlmDistill.Native;

/// <summary>enum llama_split_mode (llama.h).</summary>
public enum LlamaSplitMode
{
    None = 0,
    Layer = 1,
    Row = 2,
    Tensor = 3,
}
