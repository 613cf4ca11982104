using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Tests.Native;

/// <summary>
/// Struct layouts against the C compiler. Reference values printed by a throwaway C program compiled against
/// llama.cpp v0.5.0's headers on linux-x64:
///   gcc -I/tmp/llama.cpp/include -I/tmp/llama.cpp/ggml/include abi.c -o abi &amp;&amp; ./abi
/// where abi.c prints sizeof(struct X) and offsetof(struct X, field) for every struct below.
/// </summary>
public sealed unsafe class TestLlamaAbi
{
    private static long Off(void* field, void* start) => (byte*)field - (byte*)start;

    [Fact]
    public void Struct_sizes_match_the_c_compiler()
    {
        Assert.Equal(12, sizeof(LlamaTokenData));
        Assert.Equal(32, sizeof(LlamaTokenDataArray));
        Assert.Equal(56, sizeof(LlamaBatch));
        Assert.Equal(264, sizeof(LlamaModelKvOverride));
        Assert.Equal(80, sizeof(LlamaModelParams));
        Assert.Equal(16, sizeof(LlamaSamplerSeqConfig));
        Assert.Equal(160, sizeof(LlamaContextParams));
        Assert.Equal(16, sizeof(LlamaModelTensorOverride));
        Assert.Equal(24, sizeof(LlamaModelImatrixData));
        Assert.Equal(64, sizeof(LlamaModelQuantizeParams));
        Assert.Equal(8, sizeof(LlamaLogitBias));
        Assert.Equal(1, sizeof(LlamaSamplerChainParams));
        Assert.Equal(16, sizeof(LlamaChatMessage));
        Assert.Equal(48, sizeof(LlamaPerfContextData));
        Assert.Equal(16, sizeof(LlamaPerfSamplerData));
    }

    [Fact]
    public void Enums_are_four_bytes_like_c_enums()
    {
        Assert.Equal(4, sizeof(GgmlType));
        Assert.Equal(4, sizeof(LlamaFtype));
        Assert.Equal(4, sizeof(GgmlLogLevel));
    }

    [Fact]
    public void Token_data_and_array_offsets_match()
    {
        LlamaTokenData d;
        Assert.Equal(0, Off(&d.id, &d));
        Assert.Equal(4, Off(&d.logit, &d));
        Assert.Equal(8, Off(&d.p, &d));

        LlamaTokenDataArray a;
        Assert.Equal(0, Off(&a.data, &a));
        Assert.Equal(8, Off(&a.size, &a));
        Assert.Equal(16, Off(&a.selected, &a));
        Assert.Equal(24, Off(&a.sorted, &a));
    }

    [Fact]
    public void Batch_offsets_match()
    {
        LlamaBatch b;
        Assert.Equal(0, Off(&b.n_tokens, &b));
        Assert.Equal(8, Off(&b.token, &b));
        Assert.Equal(16, Off(&b.embd, &b));
        Assert.Equal(24, Off(&b.pos, &b));
        Assert.Equal(32, Off(&b.n_seq_id, &b));
        Assert.Equal(40, Off(&b.seq_id, &b));
        Assert.Equal(48, Off(&b.logits, &b));
    }

    [Fact]
    public void Kv_override_offsets_match()
    {
        LlamaModelKvOverride o;
        Assert.Equal(0, Off(&o.tag, &o));
        Assert.Equal(4, Off(o.key, &o));
        Assert.Equal(136, Off(&o.val_i64, &o));
        Assert.Equal(136, Off(&o.val_f64, &o));
        Assert.Equal(136, Off(&o.val_bool, &o));
        Assert.Equal(136, Off(o.val_str, &o));
    }

    [Fact]
    public void Model_params_offsets_match()
    {
        LlamaModelParams p;
        Assert.Equal(0, Off(&p.devices, &p));
        Assert.Equal(8, Off(&p.tensor_buft_overrides, &p));
        Assert.Equal(16, Off(&p.n_gpu_layers, &p));
        Assert.Equal(20, Off(&p.split_mode, &p));
        Assert.Equal(24, Off(&p.load_mode, &p));
        Assert.Equal(28, Off(&p.lazy_mode, &p));
        Assert.Equal(32, Off(&p.main_gpu, &p));
        Assert.Equal(40, Off(&p.tensor_split, &p));
        Assert.Equal(48, Off(&p.progress_callback, &p));
        Assert.Equal(56, Off(&p.progress_callback_user_data, &p));
        Assert.Equal(64, Off(&p.kv_overrides, &p));
        Assert.Equal(72, Off(&p.vocab_only, &p));
        Assert.Equal(73, Off(&p.check_tensors, &p));
        Assert.Equal(74, Off(&p.use_extra_bufts, &p));
        Assert.Equal(75, Off(&p.no_host, &p));
        Assert.Equal(76, Off(&p.no_alloc, &p));
        Assert.Equal(77, Off(&p.load_mtp, &p));
    }

    [Fact]
    public void Sampler_seq_config_offsets_match()
    {
        LlamaSamplerSeqConfig s;
        Assert.Equal(0, Off(&s.seq_id, &s));
        Assert.Equal(8, Off(&s.sampler, &s));
    }

    [Fact]
    public void Context_params_offsets_match()
    {
        LlamaContextParams p;
        Assert.Equal(0, Off(&p.n_ctx, &p));
        Assert.Equal(4, Off(&p.n_batch, &p));
        Assert.Equal(8, Off(&p.n_ubatch, &p));
        Assert.Equal(12, Off(&p.n_seq_max, &p));
        Assert.Equal(16, Off(&p.n_rs_seq, &p));
        Assert.Equal(20, Off(&p.n_outputs_max, &p));
        Assert.Equal(24, Off(&p.n_outputs_max_per_seq, &p));
        Assert.Equal(28, Off(&p.n_threads, &p));
        Assert.Equal(32, Off(&p.n_threads_batch, &p));
        Assert.Equal(36, Off(&p.ctx_type, &p));
        Assert.Equal(40, Off(&p.rope_scaling_type, &p));
        Assert.Equal(44, Off(&p.pooling_type, &p));
        Assert.Equal(48, Off(&p.attention_type, &p));
        Assert.Equal(52, Off(&p.flash_attn_type, &p));
        Assert.Equal(56, Off(&p.rope_freq_base, &p));
        Assert.Equal(60, Off(&p.rope_freq_scale, &p));
        Assert.Equal(64, Off(&p.yarn_ext_factor, &p));
        Assert.Equal(68, Off(&p.yarn_attn_factor, &p));
        Assert.Equal(72, Off(&p.yarn_beta_fast, &p));
        Assert.Equal(76, Off(&p.yarn_beta_slow, &p));
        Assert.Equal(80, Off(&p.yarn_orig_ctx, &p));
        Assert.Equal(84, Off(&p.defrag_thold, &p));
        Assert.Equal(88, Off(&p.cb_eval, &p));
        Assert.Equal(96, Off(&p.cb_eval_user_data, &p));
        Assert.Equal(104, Off(&p.type_k, &p));
        Assert.Equal(108, Off(&p.type_v, &p));
        Assert.Equal(112, Off(&p.abort_callback, &p));
        Assert.Equal(120, Off(&p.abort_callback_data, &p));
        Assert.Equal(128, Off(&p.embeddings, &p));
        Assert.Equal(129, Off(&p.offload_kqv, &p));
        Assert.Equal(130, Off(&p.no_perf, &p));
        Assert.Equal(131, Off(&p.op_offload, &p));
        Assert.Equal(132, Off(&p.swa_full, &p));
        Assert.Equal(133, Off(&p.kv_unified, &p));
        Assert.Equal(136, Off(&p.samplers, &p));
        Assert.Equal(144, Off(&p.n_samplers, &p));
        Assert.Equal(152, Off(&p.ctx_other, &p));
    }

    [Fact]
    public void Quantize_params_and_their_parts_offsets_match()
    {
        LlamaModelTensorOverride t;
        Assert.Equal(0, Off(&t.pattern, &t));
        Assert.Equal(8, Off(&t.type, &t));

        LlamaModelImatrixData m;
        Assert.Equal(0, Off(&m.name, &m));
        Assert.Equal(8, Off(&m.data, &m));
        Assert.Equal(16, Off(&m.size, &m));

        LlamaModelQuantizeParams q;
        Assert.Equal(0, Off(&q.nthread, &q));
        Assert.Equal(4, Off(&q.ftype, &q));
        Assert.Equal(8, Off(&q.output_tensor_type, &q));
        Assert.Equal(12, Off(&q.token_embedding_type, &q));
        Assert.Equal(16, Off(&q.allow_requantize, &q));
        Assert.Equal(17, Off(&q.quantize_output_tensor, &q));
        Assert.Equal(18, Off(&q.only_copy, &q));
        Assert.Equal(19, Off(&q.pure, &q));
        Assert.Equal(20, Off(&q.keep_split, &q));
        Assert.Equal(21, Off(&q.dry_run, &q));
        Assert.Equal(24, Off(&q.imatrix, &q));
        Assert.Equal(32, Off(&q.kv_overrides, &q));
        Assert.Equal(40, Off(&q.tt_overrides, &q));
        Assert.Equal(48, Off(&q.prune_layers, &q));
        Assert.Equal(56, Off(&q.max_buf_size, &q));
    }

    [Fact]
    public void Small_structs_offsets_match()
    {
        LlamaLogitBias b;
        Assert.Equal(0, Off(&b.token, &b));
        Assert.Equal(4, Off(&b.bias, &b));

        LlamaSamplerChainParams s;
        Assert.Equal(0, Off(&s.no_perf, &s));

        LlamaChatMessage c;
        Assert.Equal(0, Off(&c.role, &c));
        Assert.Equal(8, Off(&c.content, &c));

        LlamaPerfContextData pc;
        Assert.Equal(0, Off(&pc.t_start_ms, &pc));
        Assert.Equal(8, Off(&pc.t_load_ms, &pc));
        Assert.Equal(16, Off(&pc.t_p_eval_ms, &pc));
        Assert.Equal(24, Off(&pc.t_eval_ms, &pc));
        Assert.Equal(32, Off(&pc.n_p_eval, &pc));
        Assert.Equal(36, Off(&pc.n_eval, &pc));
        Assert.Equal(40, Off(&pc.n_reused, &pc));

        LlamaPerfSamplerData ps;
        Assert.Equal(0, Off(&ps.t_sample_ms, &ps));
        Assert.Equal(8, Off(&ps.n_sample, &ps));
    }
}
