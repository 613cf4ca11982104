using LlmDistill.Gguf;
using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_context_params (llama.h v0.5.0). 160 bytes on 64-bit. Get one from llama_context_default_params().</summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct LlamaContextParams
{
    public uint n_ctx;                  // 0 = from model
    public uint n_batch;                // logical max batch size for llama_decode
    public uint n_ubatch;               // physical max batch size
    public uint n_seq_max;
    public uint n_rs_seq;
    public uint n_outputs_max;          // 0 = n_batch
    public uint n_outputs_max_per_seq;  // 0 = n_outputs_max
    public int n_threads;
    public int n_threads_batch;

    public LlamaContextType ctx_type;
    public LlamaRopeScalingType rope_scaling_type;
    public LlamaPoolingType pooling_type;
    public LlamaAttentionType attention_type;
    public LlamaFlashAttnType flash_attn_type;

    public float rope_freq_base;
    public float rope_freq_scale;
    public float yarn_ext_factor;
    public float yarn_attn_factor;
    public float yarn_beta_fast;
    public float yarn_beta_slow;
    public uint yarn_orig_ctx;
    public float defrag_thold;          // deprecated

    public delegate* unmanaged[Cdecl]<void*, bool, void*, bool> cb_eval; // ggml_backend_sched_eval_callback(tensor, ask, user_data)
    public void* cb_eval_user_data;

    public GgmlType type_k;
    public GgmlType type_v;

    public delegate* unmanaged[Cdecl]<void*, bool> abort_callback; // ggml_abort_callback; return true to abort
    public void* abort_callback_data;

    public bool embeddings;
    public bool offload_kqv;
    public bool no_perf;
    public bool op_offload;
    public bool swa_full;
    public bool kv_unified;

    public LlamaSamplerSeqConfig* samplers;
    public nuint n_samplers;

    public void* ctx_other;             // struct llama_context*
}
