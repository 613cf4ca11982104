using LlmDistill.Generation.Datasets;

namespace LlmDistill.Generation;

/// <summary>Everything `llmdistill generate` needs; defaults are what the CLI offers.</summary>
public sealed record GenerateSettings
{
    public required string TeacherPath { get; init; }
    public required string DataPath { get; init; }
    public required string PromptPath { get; init; }
    public required string OutputFolder { get; init; }
    public DatasetReadOptions Dataset { get; init; } = new();

    /// <summary>Samples per question (self-consistency when &gt; 1).</summary>
    public int Samples { get; init; } = 1;
    /// <summary>Alternatives recorded per completion token.</summary>
    public int CaptureTopK { get; init; } = 20;
    /// <summary>Sampling temperature; null = 0 (greedy) for one sample, 0.7 for several.</summary>
    public float? Temperature { get; init; }
    public float TopP { get; init; } = 0.95f;
    public int SamplingTopK { get; init; } = 40;
    public long Seed { get; init; }
    public int MaxTokens { get; init; } = 512;

    public int Parallel { get; init; } = 8;
    /// <summary>KV cells per sequence (prompt + completion).</summary>
    public int ContextPerSequence { get; init; } = 2048;
    public int Threads { get; init; }
    public int GpuLayers { get; init; }

    /// <summary>Send the rendered template as is, without the teacher's chat template.</summary>
    public bool Raw { get; init; }
    public KeepPolicy Keep { get; init; } = KeepPolicy.All;
    public ShardFilter Shard { get; init; } = ShardFilter.All;
    /// <summary>Start over when the output folder holds traces made with other settings.</summary>
    public bool Force { get; init; }
    /// <summary>Only the first N questions of the data set (after sharding); null = all.</summary>
    public long? Limit { get; init; }
    /// <summary>Rows per part file before a new one is started.</summary>
    public int RowsPerPart { get; init; } = 5000;

    public float EffectiveTemperature => Temperature ?? (Samples > 1 ? 0.7f : 0f);
}
