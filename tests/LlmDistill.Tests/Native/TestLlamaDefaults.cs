using LLama.Native;
using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>
/// LLamaSharp's *Params.Default() call llama.cpp's *_default_params(), which return the struct by value: reading back
/// llama.cpp's documented defaults (src/llama-model.cpp, src/llama-context.cpp, src/llama-quant.cpp) proves that
/// LLamaSharp's struct layouts match the library it loaded, and that our options land in the right fields.
/// </summary>
[Collection(LlamaCollection.Name)]
public sealed unsafe class TestLlamaDefaults
{
    public TestLlamaDefaults() => LlamaBackend.Initialize();

    [Fact]
    public void Model_default_params_match_llama_cpp_defaults()
    {
        LLamaModelParams p = LLamaModelParams.Default();
        Assert.True(p.devices is null);
        Assert.True(p.tensor_buft_overrides is null);
        Assert.Equal(-1, p.n_gpu_layers);
        Assert.Equal(GPUSplitMode.Layer, p.split_mode);
        Assert.Equal(0, p.main_gpu);
        Assert.True(p.tensor_split is null);
        Assert.True(p.progress_callback_user_data is null);
        Assert.True(p.kv_overrides is null);
        Assert.False(p.vocab_only);
        Assert.False(p.check_tensors);
        Assert.True(p.use_extra_bufts);
        Assert.False(p.no_host);
        Assert.False(p.no_alloc);
    }

    [Fact]
    public void Context_default_params_match_llama_cpp_defaults()
    {
        LLamaContextParams p = LLamaContextParams.Default();
        Assert.Equal(512u, p.n_ctx);
        Assert.Equal(2048u, p.n_batch);
        Assert.Equal(512u, p.n_ubatch);
        Assert.Equal(1u, p.n_seq_max);
        Assert.Equal(0u, p.n_outputs_max);
        Assert.Equal(4, p.n_threads);       // GGML_DEFAULT_N_THREADS
        Assert.Equal(4, p.n_threads_batch);
        Assert.Equal(LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_AUTO, p.llama_flash_attn_type);
        Assert.Equal(0f, p.rope_freq_base);
        Assert.Equal(0f, p.rope_freq_scale);
        Assert.Equal(-1f, p.yarn_ext_factor);
        Assert.Equal(-1f, p.yarn_attn_factor);
        Assert.Equal(-1f, p.yarn_beta_fast);
        Assert.Equal(-1f, p.yarn_beta_slow);
        Assert.Equal(0u, p.yarn_orig_ctx);
        Assert.Equal(-1f, p.defrag_threshold);
        Assert.Equal(IntPtr.Zero, p.cb_eval);
        Assert.Equal(GGMLType.GGML_TYPE_F16, p.type_k);
        Assert.Equal(GGMLType.GGML_TYPE_F16, p.type_v);
        Assert.Equal(IntPtr.Zero, p.abort_callback);
        Assert.False(p.embeddings);
        Assert.True(p.offload_kqv);
        Assert.True(p.no_perf);
        Assert.True(p.op_offload);
        Assert.True(p.swa_full);
        Assert.False(p.kv_unified);
        Assert.Equal(IntPtr.Zero, p.samplers);
        Assert.Equal(IntPtr.Zero, p.ctx_other);
    }

    [Fact]
    public void Quantize_default_params_match_llama_cpp_defaults()
    {
        LLamaModelQuantizeParams p = LLamaModelQuantizeParams.Default();
        Assert.Equal(0, p.nthread);
        Assert.Equal(LLamaFtype.MOSTLY_Q8_0, p.ftype);
        // GGML_TYPE_COUNT of this commit's ggml.h, which LLamaSharp's enum gives another value.
        Assert.Equal((int)GgmlType.Count, (int)p.output_tensor_type);
        Assert.Equal((int)GgmlType.Count, (int)p.token_embedding_type);
        Assert.False(p.allow_requantize);
        Assert.True(p.quantize_output_tensor);
        Assert.False(p.only_copy);
        Assert.False(p.pure);
        Assert.False(p.keep_split);
        Assert.Equal(IntPtr.Zero, p.imatrix);
        Assert.Equal(IntPtr.Zero, p.kv_overrides);
    }

    [Fact]
    public void Options_map_onto_the_native_structs()
    {
        LLamaModelParams m = new LlamaModelOptions { GpuLayers = 0, UseMmap = false, VocabOnly = true }.ToNative();
        Assert.Equal(0, m.n_gpu_layers);
        Assert.Equal(LLamaLoadMode.None, m.load_mode);
        Assert.True(m.vocab_only);
        Assert.True(m.use_extra_bufts); // untouched default survives

        LLamaContextParams c = new LlamaContextOptions
        {
            ContextSize = 1024, BatchSize = 64, MicroBatchSize = 32, SequenceCount = 2, Threads = 2, OutputsMax = 16,
            TypeK = GgmlType.F32, TypeV = GgmlType.F32, FlashAttention = LlamaFlashAttnType.Disabled, NoPerf = false,
        }.ToNative();
        Assert.Equal(1024u, c.n_ctx);
        Assert.Equal(64u, c.n_batch);
        Assert.Equal(32u, c.n_ubatch);
        Assert.Equal(2u, c.n_seq_max);
        Assert.Equal(16u, c.n_outputs_max);
        Assert.Equal(2, c.n_threads);
        Assert.Equal(2, c.n_threads_batch);
        Assert.Equal(GGMLType.GGML_TYPE_F32, c.type_k);
        Assert.Equal(GGMLType.GGML_TYPE_F32, c.type_v);
        Assert.Equal(LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED, c.llama_flash_attn_type);
        Assert.False(c.no_perf);
        Assert.True(c.swa_full);
    }

    [Fact]
    public void Type_names_come_from_the_loaded_ggml()
    {
        Assert.Equal("f32", Str(GgmlNative.ggml_type_name(GgmlType.F32)));
        Assert.Equal("q8_0", Str(GgmlNative.ggml_type_name(GgmlType.Q8_0)));
        Assert.Equal("bf16", Str(GgmlNative.ggml_type_name(GgmlType.BF16)));
    }

    private static string? Str(byte* p) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)p);
}
