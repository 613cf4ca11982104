namespace LlmDistill.Native;

/// <summary>Options for <see cref="LlamaModel.Load"/>; null/unchanged values keep llama_model_default_params().</summary>
public sealed record LlamaModelOptions
{
    /// <summary>Layers to offload to the GPU; negative = all (llama.cpp's default), 0 = CPU only.</summary>
    public int GpuLayers { get; init; } = -1;

    /// <summary>true: mmap the file; false: read it into memory; null: llama.cpp decides (LLAMA_LOAD_MODE_AUTO).</summary>
    public bool? UseMmap { get; init; }

    /// <summary>Load only the vocabulary and metadata, no weights (hyper-parameter getters such as n_ctx_train then return 0; no context can be created).</summary>
    public bool VocabOnly { get; init; }

    /// <summary>Validate tensor data while loading (slow).</summary>
    public bool CheckTensors { get; init; }

    public LlamaSplitMode SplitMode { get; init; } = LlamaSplitMode.Layer;

    public int MainGpu { get; init; }

    /// <summary>Last-chance edit of the raw struct (for fields not exposed above).</summary>
    public Func<LlamaModelParams, LlamaModelParams>? Customize { get; init; }

    public LlamaModelParams ToNative()
    {
        LlamaModelParams p = LlamaNative.llama_model_default_params();
        p.n_gpu_layers = GpuLayers;
        if (UseMmap is bool mmap)
            p.load_mode = mmap ? LlamaLoadMode.Mmap : LlamaLoadMode.None;
        p.vocab_only = VocabOnly;
        p.check_tensors = CheckTensors;
        p.split_mode = SplitMode;
        p.main_gpu = MainGpu;
        return Customize is null ? p : Customize(p);
    }
}
