namespace LlmDistill.Native;

/// <summary>enum llama_load_mode (llama.h): how the weights are read (this replaced use_mmap/use_mlock).</summary>
public enum LlamaLoadMode
{
    Auto = -1,
    None = 0,
    Mmap = 1,
    Mlock = 2,
    MmapMlock = 3,
    DirectIo = 4,
}
