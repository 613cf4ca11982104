using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_model_params (llama.h v0.5.0). 80 bytes on 64-bit. Get one from llama_model_default_params().</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaModelParams
{
    public void** devices;                      // ggml_backend_dev_t*, NULL-terminated; NULL = all devices
    public void* tensor_buft_overrides;         // const llama_model_tensor_buft_override*
    public int n_gpu_layers;                    // negative = all layers
    public LlamaSplitMode split_mode;
    public LlamaLoadMode load_mode;
    public LlamaLazyMode lazy_mode;
    public int main_gpu;
    public float* tensor_split;                 // const float*, llama_max_devices() entries
    public delegate* unmanaged[Cdecl]<float, void*, bool> progress_callback; // llama_progress_callback; return false to abort
    public void* progress_callback_user_data;
    public LlamaModelKvOverride* kv_overrides;  // terminated by an entry whose key is empty
    public bool vocab_only;
    public bool check_tensors;
    public bool use_extra_bufts;
    public bool no_host;
    public bool no_alloc;
    public bool load_mtp;
}
