using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Export;

/// <summary>What the export stage (<see cref="StudentExport"/>) writes: which checkpoint, where, as which type.</summary>
public sealed record ExportSettings : IValidatedOptions
{
    [OptionName("checkpoint", "-c"), PathOption, Description("A run folder from `llmdistill train`, or its checkpoint/ folder.")]
    public required string Checkpoint { get; init; }

    [OptionName("out", "-o"), PathOption, Description("The GGUF file to write (replaced atomically).")]
    public required string OutputPath { get; init; }

    [Description("Matrix type: f32, f16, bf16, q8_0 (managed writer) or q4_0, q5_0, q3_k_m, q4_k_s, q4_k_m, q5_k_s, q5_k_m, q6_k (llama.cpp's quantizer).")]
    public ExportType Type { get; init; } = ExportType.F16;

    [Description("Write only the LoRA adapters of a run that trained them, as a llama.cpp adapter GGUF (load it beside its base). The type option does not apply: adapters are F32.")]
    public bool Adapter { get; init; }

    [Description("Write base and adapters merged into one model GGUF (what a LoRA run exports by default).")]
    public bool Merge { get; init; }

    [Description("general.name written into the GGUF.")]
    public string Name { get; init; } = "llmdistill-student";

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        string.IsNullOrWhiteSpace(Name) ? new OptionError(nameof(Name), "must not be empty") : null,
        Adapter && Merge ? new OptionError(nameof(Adapter), "and {Merge} are two outputs: give one") : null,
    ]);
}
