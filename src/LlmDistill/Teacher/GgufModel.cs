using LlmDistill.Gguf;
using LlmDistill.Native;
using LlmDistill.Student.Lora;

namespace LlmDistill.Teacher;

/// <summary>Settings for loading a GGUF model in llama.cpp.</summary>
public sealed record GgufModelOptions
{
    /// <summary>Layers to offload to a GPU (-1 = all when a GPU backend exists; 0 = CPU only).</summary>
    public int GpuLayers { get; init; } = 0;

    /// <summary>Load the vocabulary and metadata only, no weights (a tokenizer for a remote teacher; no context can be made).</summary>
    public bool VocabOnly { get; init; }

    /// <summary>A LoRA adapter GGUF applied on top of the model (checked against it before llama.cpp reads either).</summary>
    public string? AdapterPath { get; init; }
}

/// <summary>
/// A GGUF model, teacher or student, loaded in llama.cpp. The file is first read and validated by the managed GGUF reader, so a
/// damaged or hostile file ends in a <see cref="GgufFormatException"/> naming the field and offset, never in
/// native code.
/// </summary>
public sealed class GgufModel : IDisposable
{
    GgufModel(string path, LlamaModel model, string architecture, LoraAdapterInfo? adapter)
    {
        Path = path;
        Model = model;
        Architecture = architecture;
        Adapter = adapter;
    }

    public string Path { get; }
    public LlamaModel Model { get; }
    public LlamaVocab Vocab => Model.Vocab;
    public string Architecture { get; }
    public int VocabSize => Model.Vocab.Count;

    /// <summary>The LoRA adapter every context of this model applies, or null.</summary>
    public LoraAdapterInfo? Adapter { get; }

    public static GgufModel Load(string path, GgufModelOptions? options = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model not found: {path}", path);
        options ??= new();
        string architecture = Validate(path, options.VocabOnly);
        var adapter = options.AdapterPath is { } adapterPath ? LoraAdapterGguf.Check(adapterPath, path) : null;
        LlamaBackend.EnsureInitialized();
        var model = LlamaModel.Load(path, new LlamaModelOptions { GpuLayers = options.GpuLayers, VocabOnly = options.VocabOnly });
        try
        {
            if (adapter is not null) model.LoadAdapter(adapter.Path);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return new GgufModel(path, model, architecture, adapter);
    }

    /// <summary>Checks what llama.cpp needs before it sees the file; returns general.architecture.</summary>
    static string Validate(string path, bool vocabOnly)
    {
        using var file = GgufFile.Open(path);
        if (!file.Metadata.TryGetString("general.architecture", out string architecture))
            throw new InvalidDataException($"GGUF file '{path}' has no general.architecture key: it is not a model llama.cpp can run.");
        if (!file.Metadata.ContainsKey("tokenizer.ggml.tokens"))
            throw new InvalidDataException($"GGUF file '{path}' has no tokenizer (tokenizer.ggml.tokens is missing): a teacher needs its vocabulary.");
        if (file.Tensors.Count == 0 && !vocabOnly)
            throw new InvalidDataException($"GGUF file '{path}' holds no tensors: it is a vocabulary-only file, not a model.");
        Models.HyperparameterCheck.Ensure(file, architecture);
        return architecture;
    }

    /// <summary>Tokenizes a prompt as llama.cpp does (special tokens parsed, BOS added when the vocabulary asks for it).</summary>
    public int[] Tokenize(string text, bool addSpecial = true) => Vocab.Tokenize(text, addSpecial, parseSpecial: true);

    /// <summary>
    /// The text the teacher sees for a question: through the model's own chat template (a user turn, optional system
    /// turn, assistant turn opened) unless <paramref name="raw"/>, or when the model carries no template.
    /// </summary>
    public string RenderPrompt(string user, string? system = null, bool raw = false)
    {
        string? template = Model.GetChatTemplate();
        if (raw || template is null) return system is null ? user : system + "\n\n" + user;
        var turns = new List<LlamaChatTurn>();
        if (system is not null) turns.Add(new LlamaChatTurn("system", system));
        turns.Add(new LlamaChatTurn("user", user));
        return Model.ApplyChatTemplate(turns, addAssistant: true, template);
    }

    public void Dispose() => Model.Dispose();
}
