using System.Text;
using LLama.Exceptions;
using LLama.Native;

namespace LlmDistill.Native;

/// <summary>A loaded llama.cpp model (thin wrapper over LLamaSharp's <see cref="SafeLlamaModelHandle"/>).</summary>
public sealed class LlamaModel : IDisposable
{
    private IReadOnlyDictionary<string, string>? _metadata;
    private readonly List<(LoraAdapter Adapter, float Scale)> _adapters = [];

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
        LLamaModelParams p = (options ?? new LlamaModelOptions()).ToNative();
        long mark = LlamaLog.ErrorMark;
        try
        {
            return new LlamaModel(SafeLlamaModelHandle.LoadFromFile(full, p), full);
        }
        catch (RuntimeError)
        {
            throw new LlamaException(LlamaErrors.WithLog($"llama.cpp could not load the model '{full}'", mark));
        }
    }

    /// <summary>LoRA adapters every context made afterwards applies, with their scales (1 = as trained).</summary>
    public IReadOnlyList<(LoraAdapter Adapter, float Scale)> Adapters => _adapters;

    /// <summary>
    /// Loads a LoRA adapter GGUF for this model (llama_adapter_lora_init); contexts created afterwards apply it at
    /// <paramref name="scale"/>. Check the file against the base in managed code first: llama.cpp aborts on some bad adapters.
    /// </summary>
    public void LoadAdapter(string path, float scale = 1f)
    {
        ThrowIfDisposed();
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"LoRA adapter not found: {full}", full);
        long mark = LlamaLog.ErrorMark;
        try
        {
            _adapters.Add((Handle.LoadLoraFromFile(full), scale));
        }
        catch (RuntimeError)
        {
            throw new LlamaException(LlamaErrors.WithLog($"llama.cpp could not load the LoRA adapter '{full}' on '{Path}'", mark));
        }
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
            int n = Handle.MetadataCount;
            for (int i = 0; i < n; i++)
            {
                string? key = Utf8(Handle.MetadataKeyByIndex(i));
                if (key is not null)
                    dict[key] = Utf8(Handle.MetadataValueByIndex(i)) ?? string.Empty;
            }
            return _metadata = dict;
        }
    }

    /// <summary>One metadata value by key (llama_model_meta_val_str), or null if absent.</summary>
    public unsafe string? GetMetadata(string key) =>
        LlamaStrings.ReadSized((b, size) => LlamaNative.llama_model_meta_val_str(Handle, key, b, size));

    /// <summary>llama_model_desc, e.g. "qwen3 0.6B Q8_0".</summary>
    public string Description => Handle.Description ?? string.Empty;

    public ulong SizeBytes => Handle.SizeInBytes;
    public ulong ParameterCount => Handle.ParameterCount;
    public int TrainContextLength => Handle.ContextSize;
    public int EmbeddingLength => Handle.EmbeddingSize;
    public int LayerCount => Handle.LayerCount;
    public int HeadCount => Handle.HeadCount;
    public int HeadCountKv => Handle.KVHeadCount;
    public LlamaFtype FileType => (LlamaFtype)(int)Handle.FileType;
    public LlamaRopeType RopeType => (LlamaRopeType)(int)Handle.RopeType;
    public bool HasEncoder => Handle.HasEncoder;
    public bool HasDecoder => Handle.HasDecoder;
    public bool IsRecurrent => Handle.IsRecurrent;

    /// <summary>The model's chat template (tokenizer.chat_template, or tokenizer.chat_template.&lt;name&gt;), or null.</summary>
    public string? GetChatTemplate(string? name = null) => Handle.GetTemplate(name, strict: false);

    private static string? Utf8(Memory<byte>? bytes)
    {
        if (bytes is not { } b)
            return null;
        ReadOnlySpan<byte> span = b.Span;
        int nul = span.IndexOf((byte)0);
        return Encoding.UTF8.GetString(nul >= 0 ? span[..nul] : span);
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
