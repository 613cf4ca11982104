using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Student.Lora;

/// <summary>
/// Low-rank adapters (LoRA) on a frozen pretrained student: which projections carry them, their rank r and scale α/r,
/// and dropout on the adapters' input. Rank 0 (the default) trains every weight instead.
/// </summary>
[OptionGroup]
public sealed record LoraOptions : IValidatedOptions
{
    /// <summary>The projections llama.cpp's LoRA can patch in every supported family, by GGUF tensor name (without <c>blk.N.</c> and <c>.weight</c>).</summary>
    public static IReadOnlyList<string> AllTargets { get; } = ["attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"];

    [OptionName("lora-rank"), Description("Train low-rank adapters of this rank on the frozen init GGUF instead of every weight (0 = full fine-tuning). 8–64 is usual.")]
    public int Rank { get; init; }

    [OptionName("lora-alpha"), Description("Adapter scale: the update is alpha/rank · B·A (default 2 × rank).")]
    public double? Alpha { get; init; }

    [OptionName("lora-targets"), Description("Projections that carry adapters, comma-separated: attn_q, attn_k, attn_v, attn_output, ffn_gate, ffn_up, ffn_down (default: all seven).")]
    public IReadOnlyList<string> Targets { get; init; } = AllTargets;

    [OptionName("lora-base-type"), Description("How the frozen base's projections are held and multiplied: f32 (exact; llama.cpp parity) or bf16 (half the memory; 4× faster matmuls on CPUs with AMX, ~0.4% rounding per product).")]
    public LoraBaseType BaseType { get; init; } = LoraBaseType.F32;

    [OptionName("lora-dropout"), Description("Dropout probability on the adapters' input while training (0 = none).")]
    public double Dropout { get; init; }

    /// <summary>True when adapters are trained instead of the whole model.</summary>
    public bool Enabled => Rank > 0;

    /// <summary>α in force.</summary>
    public double EffectiveAlpha => Alpha ?? 2.0 * Rank;

    /// <summary>The targets, with comma-separated values split and duplicates removed, in <see cref="AllTargets"/> order.</summary>
    public IReadOnlyList<string> TargetList => [.. AllTargets.Intersect(GivenTargets, StringComparer.Ordinal)];

    /// <summary>Every target name as given: repeated options and comma-separated lists alike.</summary>
    IEnumerable<string> GivenTargets => Targets.SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public IEnumerable<OptionError> Validate()
    {
        var unknown = GivenTargets.Where(t => !AllTargets.Contains(t)).ToArray();
        return OptionChecks.Collect([
            OptionChecks.AtLeast(nameof(Rank), Rank, 0),
            Alpha is double alpha ? OptionChecks.Positive(nameof(Alpha), alpha) : null,
            OptionChecks.Within(nameof(Dropout), Dropout, 0, 1, highOpen: true),
            unknown.Length > 0 ? new OptionError(nameof(Targets), $"names {string.Join(", ", unknown.Select(u => $"'{u}'"))}; the targets are {string.Join(", ", AllTargets)}") : null,
            Enabled && TargetList.Count == 0 ? new OptionError(nameof(Targets), "is empty: adapters need at least one projection") : null,
        ]);
    }
}

/// <summary>The number type of a LoRA student's frozen base projections (embedding, output and norms stay float32).</summary>
public enum LoraBaseType
{
    /// <summary>float32: computes what llama.cpp computes from an F32 base (≤ 1e-3 logits).</summary>
    F32,
    /// <summary>bfloat16: half the memory; much faster where the CPU multiplies bfloat16 natively (AMX), slower where it does not.</summary>
    BF16,
}
