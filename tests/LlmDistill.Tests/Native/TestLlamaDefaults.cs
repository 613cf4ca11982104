using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>
/// The structs returned by value by llama.cpp's *_default_params() must read back as the values in
/// llama.cpp v0.5.0 (src/llama-model.cpp, src/llama-context.cpp, src/llama-quant.cpp, src/llama.cpp): proves the
/// layouts and the by-value return convention are right.
/// </summary>
[Collection(LlamaCollection.Name)]
public sealed unsafe class TestLlamaDefaults
{
    public TestLlamaDefaults() => LlamaBackend.Initialize();

    [Fact]
    public void Model_default_params_match_llama_cpp_defaults()
    {
        LlamaModelParams p = LlamaNative.llama_model_default_params();
        Assert.True(p.devices is null);
        Assert.True(p.tensor_buft_overrides is null);
        Assert.Equal(-1, p.n_gpu_layers);
        Assert.Equal(LlamaSplitMode.Layer, p.split_mode);
        Assert.Equal(LlamaLoadMode.Auto, p.load_mode);
        Assert.Equal(LlamaLazyMode.Auto, p.lazy_mode);
        Assert.Equal(0, p.main_gpu);
        Assert.True(p.tensor_split is null);
        Assert.True(p.progress_callback is null);
        Assert.True(p.progress_callback_user_data is null);
        Assert.True(p.kv_overrides is null);
        Assert.False(p.vocab_only);
        Assert.False(p.check_tensors);
        Assert.True(p.use_extra_bufts);
        Assert.False(p.no_host);
        Assert.False(p.no_alloc);
        Assert.False(p.load_mtp);
    }

    [Fact]
    public void Context_default_params_match_llama_cpp_defaults()
    {
        LlamaContextParams p = LlamaNative.llama_context_default_params();
        Assert.Equal(512u, p.n_ctx);
        Assert.Equal(2048u, p.n_batch);
        Assert.Equal(512u, p.n_ubatch);
        Assert.Equal(1u, p.n_seq_max);
        Assert.Equal(0u, p.n_rs_seq);
        Assert.Equal(0u, p.n_outputs_max);
        Assert.Equal(1u, p.n_outputs_max_per_seq);
        Assert.Equal(4, p.n_threads);       // GGML_DEFAULT_N_THREADS
        Assert.Equal(4, p.n_threads_batch);
        Assert.Equal(LlamaContextType.Default, p.ctx_type);
        Assert.Equal(LlamaRopeScalingType.Unspecified, p.rope_scaling_type);
        Assert.Equal(LlamaPoolingType.Unspecified, p.pooling_type);
        Assert.Equal(LlamaAttentionType.Unspecified, p.attention_type);
        Assert.Equal(LlamaFlashAttnType.Auto, p.flash_attn_type);
        Assert.Equal(0f, p.rope_freq_base);
        Assert.Equal(0f, p.rope_freq_scale);
        Assert.Equal(-1f, p.yarn_ext_factor);
        Assert.Equal(-1f, p.yarn_attn_factor);
        Assert.Equal(-1f, p.yarn_beta_fast);
        Assert.Equal(-1f, p.yarn_beta_slow);
        Assert.Equal(0u, p.yarn_orig_ctx);
        Assert.Equal(-1f, p.defrag_thold);
        Assert.True(p.cb_eval is null);
        Assert.True(p.cb_eval_user_data is null);
        Assert.Equal(GgmlType.F16, p.type_k);
        Assert.Equal(GgmlType.F16, p.type_v);
        Assert.True(p.abort_callback is null);
        Assert.True(p.abort_callback_data is null);
        Assert.False(p.embeddings);
        Assert.True(p.offload_kqv);
        Assert.True(p.no_perf);
        Assert.True(p.op_offload);
        Assert.True(p.swa_full);
        Assert.False(p.kv_unified);
        Assert.True(p.samplers is null);
        Assert.Equal((nuint)0, p.n_samplers);
        Assert.True(p.ctx_other is null);
    }

    [Fact]
    public void Quantize_default_params_match_llama_cpp_defaults()
    {
        LlamaModelQuantizeParams p = LlamaNative.llama_model_quantize_default_params();
        Assert.Equal(0, p.nthread);
        Assert.Equal(LlamaFtype.MostlyQ8_0, p.ftype);
        Assert.Equal(GgmlType.Count, p.output_tensor_type);
        Assert.Equal(GgmlType.Count, p.token_embedding_type);
        Assert.False(p.allow_requantize);
        Assert.True(p.quantize_output_tensor);
        Assert.False(p.only_copy);
        Assert.False(p.pure);
        Assert.False(p.keep_split);
        Assert.False(p.dry_run);
        Assert.True(p.imatrix is null);
        Assert.True(p.kv_overrides is null);
        Assert.True(p.tt_overrides is null);
        Assert.True(p.prune_layers is null);
        Assert.Equal(8UL * 1024 * 1024 * 1024, (ulong)p.max_buf_size);
    }

    [Fact]
    public void Sampler_chain_default_params_disable_perf()
    {
        Assert.True(LlamaNative.llama_sampler_chain_default_params().no_perf);
    }

    [Fact]
    public void Options_map_onto_the_native_structs()
    {
        LlamaModelParams m = new LlamaModelOptions { GpuLayers = 0, UseMmap = false, VocabOnly = true }.ToNative();
        Assert.Equal(0, m.n_gpu_layers);
        Assert.Equal(LlamaLoadMode.None, m.load_mode);
        Assert.True(m.vocab_only);
        Assert.True(m.use_extra_bufts); // untouched default survives

        LlamaContextParams c = new LlamaContextOptions
        {
            ContextSize = 1024, BatchSize = 64, MicroBatchSize = 32, SequenceCount = 2, Threads = 2,
            TypeK = GgmlType.F32, TypeV = GgmlType.F32, FlashAttention = LlamaFlashAttnType.Disabled, NoPerf = false,
        }.ToNative();
        Assert.Equal(1024u, c.n_ctx);
        Assert.Equal(64u, c.n_batch);
        Assert.Equal(32u, c.n_ubatch);
        Assert.Equal(2u, c.n_seq_max);
        Assert.Equal(2, c.n_threads);
        Assert.Equal(2, c.n_threads_batch);
        Assert.Equal(GgmlType.F32, c.type_k);
        Assert.Equal(GgmlType.F32, c.type_v);
        Assert.Equal(LlamaFlashAttnType.Disabled, c.flash_attn_type);
        Assert.False(c.no_perf);
        Assert.True(c.swa_full);
    }

    [Fact]
    public void Enum_names_round_trip_through_llama_cpp()
    {
        Assert.Equal("f32", Str(GgmlNative.ggml_type_name(GgmlType.F32)));
        Assert.Equal("q8_0", Str(GgmlNative.ggml_type_name(GgmlType.Q8_0)));
        Assert.Equal("bf16", Str(GgmlNative.ggml_type_name(GgmlType.BF16)));
        Assert.Equal("Q8_0", Str(LlamaNative.llama_ftype_name(LlamaFtype.MostlyQ8_0)));
        Assert.Equal("auto", Str(LlamaNative.llama_flash_attn_type_name(LlamaFlashAttnType.Auto)));
    }

    private static string? Str(byte* p) => System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)p);
}
