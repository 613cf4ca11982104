using LlmDistill.Generation.Datasets;
using LlmDistill.Gguf;

namespace LlmDistill.Evaluation;

/// <summary>Everything `llmdistill eval` needs; defaults are what the CLI offers.</summary>
public sealed record EvalSettings
{
    /// <summary>The teacher GGUF.</summary>
    public required string TeacherPath { get; init; }
    /// <summary>Students: GGUF files, checkpoint folders or training-run folders.</summary>
    public required IReadOnlyList<string> StudentPaths { get; init; }
    public required string DataPath { get; init; }
    public required string PromptPath { get; init; }
    /// <summary>The report folder; written whole at the end (staged beside it, then renamed).</summary>
    public required string OutputFolder { get; init; }
    public DatasetReadOptions Dataset { get; init; } = new();

    /// <summary>Held-out teacher traces (folder or part file) for per-token KL and NLL; null = skip them.</summary>
    public string? TracesPath { get; init; }
    /// <summary>Most traces scored per model (teacher forcing costs one forward pass per trace).</summary>
    public int TraceLimit { get; init; } = 200;

    /// <summary>1 = greedy only; N &gt; 1 adds N samples at <see cref="Temperature"/> per question for self-consistency accuracy.</summary>
    public int Samples { get; init; } = 1;
    public float Temperature { get; init; } = 0.7f;
    public float TopP { get; init; } = 0.95f;
    public int SamplingTopK { get; init; } = 40;
    public long Seed { get; init; }
    public int MaxTokens { get; init; } = 512;

    public int Parallel { get; init; } = 8;
    /// <summary>KV cells per sequence (prompt + completion).</summary>
    public int ContextPerSequence { get; init; } = 2048;
    public int Threads { get; init; }
    public int GpuLayers { get; init; }
    /// <summary>Send the rendered template as is, without each model's chat template.</summary>
    public bool Raw { get; init; }
    /// <summary>Only the first N questions; null = all.</summary>
    public long? Limit { get; init; }
    /// <summary>Export checkpoint folders with this matrix type before evaluating (null = run their model.gguf as saved).</summary>
    public GgmlType? StudentType { get; init; }
    /// <summary>Replace an existing report folder.</summary>
    public bool Force { get; init; }

    /// <summary>Temperature samples per question besides the greedy one.</summary>
    public int TemperatureSamples => Samples > 1 ? Samples : 0;
}

/// <summary>Where a run is: which model (0 = teacher), what it is doing, and how far along.</summary>
public sealed record EvalProgress(int ModelIndex, string Model, string Phase, long Done, long Total);
