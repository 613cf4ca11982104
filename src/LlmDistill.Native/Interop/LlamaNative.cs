using System.Runtime.InteropServices;
using LLama.Native;

namespace LlmDistill.Native;

/// <summary>
/// The few libllama functions that LLamaSharp 0.30.0 does not expose the way a batched top-k teacher needs them,
/// declared against the same library LLamaSharp loaded (<see cref="LlamaLibrary"/> maps "llama" to its handle):
/// <list type="bullet">
/// <item><c>llama_decode</c> without LLamaSharp's process-wide lock and per-call pinning (its <c>Decode</c> takes both);</item>
/// <item><c>llama_get_memory</c>, so that <c>llama_memory_seq_rm</c>'s bool result is not dropped;</item>
/// <item>byte-level <c>llama_tokenize</c>/<c>llama_detokenize</c> and the per-token vocabulary getters (internal in LLamaSharp);</item>
/// <item><c>llama_model_meta_val_str</c>, whose LLamaSharp wrapper passes the key without its terminating NUL.</item>
/// </list>
/// Everything else goes through LLamaSharp's public API. Handles and structs are LLamaSharp's own (their layouts are
/// its commit's), so no llama.h struct is mirrored here; <c>llama_batch</c> is LLamaSharp's <see cref="LLamaNativeBatch"/>.
/// </summary>
internal static unsafe partial class LlamaNative
{
    /// <summary>Library name the resolver maps to the libllama that LLamaSharp loaded.</summary>
    public const string LibraryName = "llama";

    /// <summary>0 ok; 1 no KV slot; 2 aborted; -1 invalid batch; &lt; -1 fatal.</summary>
    [LibraryImport(LibraryName)] public static partial int llama_decode(SafeLLamaContextHandle ctx, LLamaNativeBatch batch);

    /// <summary>Batch view over caller memory for sequence 0 with automatic positions (no allocation).</summary>
    [LibraryImport(LibraryName)] public static partial LLamaNativeBatch llama_batch_get_one(int* tokens, int nTokens);

    /// <summary>The context's llama_memory_t (valid as long as the context).</summary>
    [LibraryImport(LibraryName)] public static partial IntPtr llama_get_memory(SafeLLamaContextHandle ctx);

    /// <summary>
    /// Value of a metadata key: its length, or -1 when absent; buf is always NUL-terminated. Declared here because
    /// LLamaSharp 0.30.0's MetadataValueByKey passes the key without a terminating NUL, so llama.cpp reads past it and
    /// misses keys at random.
    /// </summary>
    [LibraryImport(LibraryName, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int llama_model_meta_val_str(SafeLlamaModelHandle model, string key, byte* buf, nuint bufSize);

    /// <summary>The model's <c>const llama_vocab*</c> (lives as long as the model).</summary>
    [LibraryImport(LibraryName)] public static partial IntPtr llama_model_get_vocab(SafeLlamaModelHandle model);

    [LibraryImport(LibraryName)] public static partial byte* llama_vocab_get_text(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial float llama_vocab_get_score(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] public static partial LlamaTokenAttr llama_vocab_get_attr(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_eog(IntPtr vocab, int token);
    [LibraryImport(LibraryName)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool llama_vocab_is_control(IntPtr vocab, int token);

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
}
