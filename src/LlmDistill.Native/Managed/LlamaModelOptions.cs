using LLama.Native;

namespace LlmDistill.Native;

/// <summary>Options for <see cref="LlamaModel.Load"/>; unchanged values keep llama_model_default_params().</summary>
public sealed record LlamaModelOptions
{
    /// <summary>Layers to offload to the GPU; negative = all (llama.cpp's default), 0 = CPU only.</summary>
    public int GpuLayers { get; init; } = -1;

    /// <summary>true: mmap the file; false: read it into memory; null: llama.cpp's default.</summary>
    public bool? UseMmap { get; init; }

    /// <summary>Load only the vocabulary and metadata, no weights (hyper-parameter getters such as n_ctx_train then return 0; no context can be created).</summary>
    public bool VocabOnly { get; init; }

    /// <summary>Validate tensor data while loading (slow).</summary>
    public bool CheckTensors { get; init; }

    public int MainGpu { get; init; }

    /// <summary>Last-chance edit of LLamaSharp's struct (for fields not exposed above).</summary>
    public Func<LLamaModelParams, LLamaModelParams>? Customize { get; init; }

    public LLamaModelParams ToNative()
    {
        LLamaModelParams p = LLamaModelParams.Default();
        p.n_gpu_layers = GpuLayers;
        if (UseMmap is bool mmap)
            p.load_mode = mmap ? LLamaLoadMode.MemoryMap : LLamaLoadMode.None;
        p.vocab_only = VocabOnly;
        p.check_tensors = CheckTensors;
        p.main_gpu = MainGpu;
        return Customize is null ? p : Customize(p);
    }
}
