using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// Raw P/Invoke declarations for libllama (llama.h of llama.cpp release v0.5.0, as shipped by
/// @node-llama-cpp/linux-x64 3.22.1). Names and parameter order follow the header; only what a distillation
/// teacher needs is bound. Returned <c>const char*</c> are <c>byte*</c> (owned by llama.cpp: never free them).
/// Call <see cref="LlamaBackend.Initialize"/> before anything here so the library resolver is installed.
/// </summary>
public static unsafe partial class LlamaNative
{
    /// <summary>Library name the resolver maps to libllama*.so in the llama.cpp folder.</summary>
    public const string LibraryName = "llama";

    // ---- defaults / backend ----

    [LibraryImport(LibraryName)] public static partial byte* llama_version();
    [LibraryImport(LibraryName)] public static partial LlamaModelParams llama_model_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaContextParams llama_context_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaSamplerChainParams llama_sampler_chain_default_params();
    [LibraryImport(LibraryName)] public static partial LlamaModelQuantizeParams llama_model_quantize_default_params();

    [LibraryImport(LibraryName)] public static partial void llama_backend_init();
    [LibraryImport(LibraryName)] public static partial void llama_backend_free();

    /// <summary>Sets llama.cpp's and ggml's log callback; NULL restores logging to stderr.</summary>
    [LibraryImport(LibraryName)]
    public static partial void llama_log_set(delegate* unmanaged[Cdecl]<GgmlLogLevel, byte*, void*, void> callback, void* userData);

    [LibraryImport(LibraryName)] public static partial byte* llama_print_system_info();
    [LibraryImport(LibraryName)] public static partial long llama_time_us();
    [LibraryImport(LibraryName)] public static partial nuint llama_max_devices();
    [LibraryImport(LibraryName)] public static partial nuint llama_max_parallel_sequences();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_mmap();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_mlock();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_gpu_offload();
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_supports_rpc();

    [LibraryImport(LibraryName)] public static partial byte* llama_ftype_name(LlamaFtype ftype);
    [LibraryImport(LibraryName)] public static partial byte* llama_flash_attn_type_name(LlamaFlashAttnType type);

    // ---- model ----

    /// <summary>Returns an invalid handle when loading fails (the reason is logged at error level).</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial SafeLlamaModelHandle llama_model_load_from_file(string pathModel, LlamaModelParams parameters);

    [LibraryImport(LibraryName)] public static partial void llama_model_free(IntPtr model);

    /// <summary>Raw; prefer <see cref="SafeLlamaContextHandle.Create"/>, which keeps the model alive.</summary>
    [LibraryImport(LibraryName)] public static partial IntPtr llama_init_from_model(IntPtr model, LlamaContextParams parameters);
    [LibraryImport(LibraryName)] public static partial void llama_free(IntPtr ctx);

    [LibraryImport(LibraryName)] public static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial LlamaRopeType llama_model_rope_type(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_ctx_train(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_embd(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_layer(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_head(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_head_kv(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_n_swa(SafeLlamaModelHandle model);

    /// <summary>Returns the value length, or -1 if the key is missing; buf is always NUL-terminated.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_count(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_key_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial int llama_model_meta_val_str_by_index(SafeLlamaModelHandle model, int i, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial int llama_model_desc(SafeLlamaModelHandle model, byte* buf, nuint bufSize);
    [LibraryImport(LibraryName)] public static partial LlamaFtype llama_model_ftype(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial ulong llama_model_size(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial ulong llama_model_n_params(SafeLlamaModelHandle model);

    /// <summary>name NULL = default template. Returns NULL if the model has none.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial byte* llama_model_chat_template(SafeLlamaModelHandle model, string? name);

    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_has_encoder(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_has_decoder(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] public static partial int llama_model_decoder_start_token(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_is_recurrent(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_is_hybrid(SafeLlamaModelHandle model);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_model_is_diffusion(SafeLlamaModelHandle model);

    /// <summary>Returns 0 on success.</summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial uint llama_model_quantize(string fnameInp, string fnameOut, LlamaModelQuantizeParams* parameters);

    // ---- context ----

    [LibraryImport(LibraryName)] public static partial uint llama_n_ctx(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_ctx_seq(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_batch(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_ubatch(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial uint llama_n_seq_max(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_get_model(SafeLlamaContextHandle ctx);
    /// <summary>Returns the context's llama_memory_t (valid as long as the context).</summary>
    [LibraryImport(LibraryName)] public static partial IntPtr llama_get_memory(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial LlamaPoolingType llama_pooling_type(SafeLlamaContextHandle ctx);

    [LibraryImport(LibraryName)] public static partial void llama_set_n_threads(SafeLlamaContextHandle ctx, int nThreads, int nThreadsBatch);
    [LibraryImport(LibraryName)] public static partial int llama_n_threads(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial int llama_n_threads_batch(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial void llama_set_embeddings(SafeLlamaContextHandle ctx, [MarshalAs(UnmanagedType.U1)] bool embeddings);
    [LibraryImport(LibraryName)] public static partial void llama_set_causal_attn(SafeLlamaContextHandle ctx, [MarshalAs(UnmanagedType.U1)] bool causalAttn);
    [LibraryImport(LibraryName)] public static partial void llama_synchronize(SafeLlamaContextHandle ctx);

    // ---- memory (KV cache) ----

    [LibraryImport(LibraryName)] public static partial void llama_memory_clear(IntPtr mem, [MarshalAs(UnmanagedType.U1)] bool data);
    /// <summary>Removes [p0, p1) of seqId (seqId &lt; 0: any; p &lt; 0: open end). False if a partial removal is impossible.</summary>
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_memory_seq_rm(IntPtr mem, int seqId, int p0, int p1);
    [LibraryImport(LibraryName)] public static partial void llama_memory_seq_cp(IntPtr mem, int seqIdSrc, int seqIdDst, int p0, int p1);
    [LibraryImport(LibraryName)] public static partial void llama_memory_seq_keep(IntPtr mem, int seqId);
    [LibraryImport(LibraryName)] public static partial void llama_memory_seq_add(IntPtr mem, int seqId, int p0, int p1, int delta);
    /// <summary>-1 if the sequence is empty.</summary>
    [LibraryImport(LibraryName)] public static partial int llama_memory_seq_pos_min(IntPtr mem, int seqId);
    /// <summary>-1 if the sequence is empty.</summary>
    [LibraryImport(LibraryName)] public static partial int llama_memory_seq_pos_max(IntPtr mem, int seqId);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_memory_can_shift(IntPtr mem);

    // ---- batch / decode ----

    /// <summary>Batch view over caller memory for sequence 0 with automatic positions (no allocation).</summary>
    [LibraryImport(LibraryName)] public static partial LlamaBatch llama_batch_get_one(int* tokens, int nTokens);
    /// <summary>Allocates arrays for nTokens tokens (embd = 0: token ids) with up to nSeqMax sequence ids each; free with llama_batch_free.</summary>
    [LibraryImport(LibraryName)] public static partial LlamaBatch llama_batch_init(int nTokens, int embd, int nSeqMax);
    [LibraryImport(LibraryName)] public static partial void llama_batch_free(LlamaBatch batch);

    /// <summary>0 ok; &lt; 0 error (memory state restored).</summary>
    [LibraryImport(LibraryName)] public static partial int llama_encode(SafeLlamaContextHandle ctx, LlamaBatch batch);
    /// <summary>0 ok; 1 no KV slot; 2 aborted; -1 invalid batch; &lt; -1 fatal.</summary>
    [LibraryImport(LibraryName)] public static partial int llama_decode(SafeLlamaContextHandle ctx, LlamaBatch batch);

    /// <summary>Rows of n_vocab floats, one per output token of the last decode, in batch order.</summary>
    [LibraryImport(LibraryName)] public static partial float* llama_get_logits(SafeLlamaContextHandle ctx);
    /// <summary>n_vocab floats for batch index i (negative: from the end); NULL for an index without output.</summary>
    [LibraryImport(LibraryName)] public static partial float* llama_get_logits_ith(SafeLlamaContextHandle ctx, int i);
    [LibraryImport(LibraryName)] public static partial float* llama_get_embeddings(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial float* llama_get_embeddings_ith(SafeLlamaContextHandle ctx, int i);

    // ---- vocab (vocab pointers come from llama_model_get_vocab and live as long as the model) ----

    [LibraryImport(LibraryName)] public static partial LlamaVocabType llama_vocab_type(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_n_tokens(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial byte* llama_vocab_get_text(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial float llama_vocab_get_score(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial LlamaTokenAttr llama_vocab_get_attr(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_eog(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_control(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_bos(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_eos(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_eot(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_sep(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_nl(IntPtr vocab);
    [LibraryImport(LibraryName)] public static partial int llama_vocab_pad(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_bos(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_eos(IntPtr vocab);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_get_add_sep(IntPtr vocab);

    /// <summary>Token count, or minus the required count if nTokensMax is too small (INT32_MIN on overflow).</summary>
    [LibraryImport(LibraryName)]
    public static partial int llama_tokenize(IntPtr vocab, byte* text, int textLen, int* tokens, int nTokensMax,
        [MarshalAs(UnmanagedType.U1)] bool addSpecial, [MarshalAs(UnmanagedType.U1)] bool parseSpecial);

    /// <summary>Bytes written (no NUL), or minus the required length if the buffer is too small.</summary>
    [LibraryImport(LibraryName)]
    public static partial int llama_token_to_piece(IntPtr vocab, int token, byte* buf, int length, int lstrip,
        [MarshalAs(UnmanagedType.U1)] bool special);

    /// <summary>Bytes written, or minus the required length if the buffer is too small.</summary>
    [LibraryImport(LibraryName)]
    public static partial int llama_detokenize(IntPtr vocab, int* tokens, int nTokens, byte* text, int textLenMax,
        [MarshalAs(UnmanagedType.U1)] bool removeSpecial, [MarshalAs(UnmanagedType.U1)] bool unparseSpecial);

    // ---- chat templates ----

    /// <summary>
    /// tmpl: UTF-8 NUL-terminated template (NULL = chatml). Returns the total formatted length (may exceed
    /// length: call again with a bigger buffer), or a negative value if the template is not supported.
    /// </summary>
    [LibraryImport(LibraryName)]
    public static partial int llama_chat_apply_template(byte* tmpl, LlamaChatMessage* chat, nuint nMsg,
        [MarshalAs(UnmanagedType.U1)] bool addAss, byte* buf, int length);

    [LibraryImport(LibraryName)] public static partial int llama_chat_builtin_templates(byte** output, nuint len);

    // ---- samplers ----

    [LibraryImport(LibraryName)] public static partial SafeLlamaSamplerHandle llama_sampler_chain_init(LlamaSamplerChainParams parameters);
    /// <summary>The chain takes ownership of smpl (a pointer from a llama_sampler_init_* function).</summary>
    [LibraryImport(LibraryName)] public static partial void llama_sampler_chain_add(SafeLlamaSamplerHandle chain, IntPtr smpl);
    [LibraryImport(LibraryName)] public static partial int llama_sampler_chain_n(SafeLlamaSamplerHandle chain);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_free(IntPtr smpl);
    [LibraryImport(LibraryName)] public static partial byte* llama_sampler_name(SafeLlamaSamplerHandle smpl);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_accept(SafeLlamaSamplerHandle smpl, int token);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_apply(SafeLlamaSamplerHandle smpl, LlamaTokenDataArray* curP);
    [LibraryImport(LibraryName)] public static partial void llama_sampler_reset(SafeLlamaSamplerHandle smpl);
    [LibraryImport(LibraryName)] public static partial uint llama_sampler_get_seed(SafeLlamaSamplerHandle smpl);
    /// <summary>Samples (and accepts) a token from the idx-th output of the last decode (-1 = last).</summary>
    [LibraryImport(LibraryName)] public static partial int llama_sampler_sample(SafeLlamaSamplerHandle smpl, SafeLlamaContextHandle ctx, int idx);

    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_greedy();
    /// <summary>seed 0xFFFFFFFF (LLAMA_DEFAULT_SEED) = random.</summary>
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_dist(uint seed);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_top_k(int k);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_top_p(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_min_p(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_typical(float p, nuint minKeep);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_temp(float t);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_temp_ext(float t, float delta, float exponent);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_penalties(int nVocab, int penaltyLastN, float penaltyRepeat, float penaltyFreq, float penaltyPresent);
    [LibraryImport(LibraryName)] public static partial IntPtr llama_sampler_init_logit_bias(int nVocab, int nLogitBias, LlamaLogitBias* logitBias);

    // ---- perf ----

    [LibraryImport(LibraryName)] public static partial LlamaPerfContextData llama_perf_context(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial void llama_perf_context_reset(SafeLlamaContextHandle ctx);
    [LibraryImport(LibraryName)] public static partial LlamaPerfSamplerData llama_perf_sampler(SafeLlamaSamplerHandle chain);
    [LibraryImport(LibraryName)] public static partial void llama_perf_sampler_reset(SafeLlamaSamplerHandle chain);
}
