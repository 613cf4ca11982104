using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>A loaded llama.cpp model (thin wrapper over <see cref="SafeLlamaModelHandle"/>).</summary>
public sealed class LlamaModel : IDisposable
{
    private IReadOnlyDictionary<string, string>? _metadata;

    private LlamaModel(SafeLlamaModelHandle handle, string path)
    {
        Handle = handle;
        Path = path;
        Vocab = new LlamaVocab(this, LlamaNative.llama_model_get_vocab(handle));
    }

    public SafeLlamaModelHandle Handle { get; }
    public string Path { get; }
    public LlamaVocab Vocab { get; }

    /// <summary>Loads a GGUF file. Initializes the backend if needed. Throws <see cref="FileNotFoundException"/> or <see cref="LlamaException"/>.</summary>
    public static LlamaModel Load(string path, LlamaModelOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        LlamaBackend.EnsureInitialized();
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
            throw new FileNotFoundException($"Model file not found: {full}", full);
        LlamaModelParams p = (options ?? new LlamaModelOptions()).ToNative();
        long mark = LlamaLog.ErrorMark;
        SafeLlamaModelHandle handle = LlamaNative.llama_model_load_from_file(full, p);
        if (handle.IsInvalid)
        {
            handle.Dispose();
            throw new LlamaException(LlamaErrors.WithLog($"llama.cpp could not load the model '{full}'", mark));
        }
        return new LlamaModel(handle, full);
    }

    // ---- metadata ----

    /// <summary>All GGUF metadata key/value pairs as llama.cpp renders them (arrays are summarized or omitted).</summary>
    public unsafe IReadOnlyDictionary<string, string> Metadata
    {
        get
        {
            if (_metadata is not null)
                return _metadata;
            var dict = new Dictionary<string, string>(StringComparer.Ordinal);
            int n = LlamaNative.llama_model_meta_count(Handle);
            for (int i = 0; i < n; i++)
            {
                int idx = i;
                string? key = LlamaStrings.ReadSized((b, s) => LlamaNative.llama_model_meta_key_by_index(Handle, idx, b, s));
                string? val = LlamaStrings.ReadSized((b, s) => LlamaNative.llama_model_meta_val_str_by_index(Handle, idx, b, s));
                if (key is not null)
                    dict[key] = val ?? string.Empty;
            }
            return _metadata = dict;
        }
    }

    /// <summary>One metadata value by key (llama_model_meta_val_str), or null if absent.</summary>
    public unsafe string? GetMetadata(string key) =>
        LlamaStrings.ReadSized((b, s) => LlamaNative.llama_model_meta_val_str(Handle, key, b, s));

    /// <summary>llama_model_desc, e.g. "qwen3 0.6B Q8_0".</summary>
    public unsafe string Description => LlamaStrings.ReadSized((b, s) => LlamaNative.llama_model_desc(Handle, b, s)) ?? string.Empty;

    public ulong SizeBytes => LlamaNative.llama_model_size(Handle);
    public ulong ParameterCount => LlamaNative.llama_model_n_params(Handle);
    public int TrainContextLength => LlamaNative.llama_model_n_ctx_train(Handle);
    public int EmbeddingLength => LlamaNative.llama_model_n_embd(Handle);
    public int LayerCount => LlamaNative.llama_model_n_layer(Handle);
    public int HeadCount => LlamaNative.llama_model_n_head(Handle);
    public int HeadCountKv => LlamaNative.llama_model_n_head_kv(Handle);
    public LlamaFtype FileType => LlamaNative.llama_model_ftype(Handle);
    public LlamaRopeType RopeType => LlamaNative.llama_model_rope_type(Handle);
    public bool HasEncoder => LlamaNative.llama_model_has_encoder(Handle);
    public bool HasDecoder => LlamaNative.llama_model_has_decoder(Handle);
    public bool IsRecurrent => LlamaNative.llama_model_is_recurrent(Handle);

    /// <summary>The model's chat template (tokenizer.chat_template, or tokenizer.chat_template.&lt;name&gt;), or null.</summary>
    public unsafe string? GetChatTemplate(string? name = null)
    {
        byte* p = LlamaNative.llama_model_chat_template(Handle, name);
        return p is null ? null : Marshal.PtrToStringUTF8((IntPtr)p);
    }

    /// <summary>
    /// Formats messages with the model's own chat template (or the given one: a template text or a built-in name
    /// such as "chatml"). Only templates llama.cpp recognizes are supported (no Jinja engine).
    /// </summary>
    public string ApplyChatTemplate(IReadOnlyList<LlamaChatTurn> messages, bool addAssistant, string? template = null)
    {
        template ??= GetChatTemplate()
            ?? throw new LlamaException($"The model '{Path}' has no chat template (tokenizer.chat_template); pass one explicitly.");
        return LlamaChatTemplate.Apply(template, messages, addAssistant);
    }

    /// <summary>Creates an inference context. Throws <see cref="LlamaException"/> if llama.cpp refuses the parameters.</summary>
    public LlamaContext CreateContext(LlamaContextOptions? options = null) => new(this, options ?? new LlamaContextOptions());

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Handle.IsClosed, this);

    public void Dispose() => Handle.Dispose();
}
