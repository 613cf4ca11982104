using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Teacher;

/// <summary>How llama.cpp runs a model: sequences decoded together, KV cells per sequence, threads, GPU offload.</summary>
[OptionGroup]
public sealed record EngineOptions : IValidatedOptions
{
    [Description("Sequences decoded together (continuous batching).")]
    public int Parallel { get; init; } = 8;

    [OptionName("ctx"), Description("KV cells per sequence (prompt + completion); the context holds parallel × this.")]
    public int ContextPerSequence { get; init; } = 2048;

    [Description("CPU threads for llama.cpp (0 = one per core).")]
    public int Threads { get; init; }

    [Description("Layers to offload to a GPU (CUDA build of llama.cpp only; 0 = CPU).")]
    public int GpuLayers { get; init; }

    /// <summary>The batched generator's options for these settings, recording <paramref name="captureTopK"/> alternatives.</summary>
    public GeneratorOptions Generator(int captureTopK) => new() { Parallel = Parallel, ContextPerSequence = ContextPerSequence, Threads = Threads, TopK = captureTopK };

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        OptionChecks.AtLeast(nameof(Parallel), Parallel, 1),
        OptionChecks.AtLeast(nameof(ContextPerSequence), ContextPerSequence, 16),
        OptionChecks.AtLeast(nameof(Threads), Threads, 0),
        OptionChecks.AtLeast(nameof(GpuLayers), GpuLayers, 0),
    ]);
}
