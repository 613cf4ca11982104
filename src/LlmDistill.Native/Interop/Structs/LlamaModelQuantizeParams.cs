using LlmDistill.Gguf;
using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_model_quantize_params (llama.h v0.5.0). 64 bytes on 64-bit.</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaModelQuantizeParams
{
    public int nthread;                         // <= 0: hardware_concurrency
    public LlamaFtype ftype;
    public GgmlType output_tensor_type;         // GgmlType.Count = not set
    public GgmlType token_embedding_type;       // GgmlType.Count = not set
    public bool allow_requantize;
    public bool quantize_output_tensor;
    public bool only_copy;
    public bool pure;
    public bool keep_split;
    public bool dry_run;
    public LlamaModelImatrixData* imatrix;
    public LlamaModelKvOverride* kv_overrides;
    public LlamaModelTensorOverride* tt_overrides;
    public int* prune_layers;
    public nuint max_buf_size;                  // 0 = default (8 GiB)
}
