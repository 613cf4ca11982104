using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
namespace LlmDistill.Evaluation.Reports;

public enum ModelRole { Teacher, Student }

/// <summary>One point of a student's training curve (from its run's <c>metrics.jsonl</c>); loss in nats per token.</summary>
public sealed record LossPoint(long Step, double Loss);

/// <summary>
/// One model's line in <c>metrics.json</c> (snake_case keys; schema in docs/metrics.md). The facts about the model
/// and its speed and divergence are measured by <see cref="EvalRun"/>; everything derived from the per-question
/// predictions is filled in by <see cref="ModelScoring"/>, so <c>llmdistill report</c> can recompute it.
/// </summary>
public sealed record ModelResult
{
    public required string Name { get; init; }
    public required ModelRole Role { get; init; }
    /// <summary>What the user passed: a GGUF file, or a checkpoint or training-run folder.</summary>
    public required string Source { get; init; }
    public string? Architecture { get; init; }
    /// <summary>The LoRA adapter GGUF run on top of the evaluated GGUF (then its base), or null.</summary>
    public string? Adapter { get; init; }
    /// <summary>The weights' type as evaluated, e.g. Q4_K_M, F32.</summary>
    public string? Quantization { get; init; }
    /// <summary>Parameters (tensor elements) in the evaluated GGUF.</summary>
    public long Params { get; init; }
    /// <summary>Size of the evaluated GGUF file.</summary>
    public long FileBytes { get; init; }

    public int Questions { get; init; }
    public int QuestionsWithGold { get; init; }
    public int Correct { get; init; }
    /// <summary>Greedy accuracy over questions with a gold answer; null when none has one.</summary>
    public double? Accuracy { get; init; }
    /// <summary>95% Wilson interval of <see cref="Accuracy"/>.</summary>
    public double? CiLow { get; init; }
    public double? CiHigh { get; init; }
    /// <summary>Share of questions where an answer could be extracted at all.</summary>
    public double AnsweredShare { get; init; }
    public double MeanCompletionTokens { get; init; }
    /// <summary>Share of questions where the greedy answer is equivalent to the teacher's; null for the teacher.</summary>
    public double? AgreementWithTeacher { get; init; }
    /// <summary>Accuracy / teacher accuracy; null for the teacher.</summary>
    public double? Retention { get; init; }
    /// <summary>Teacher params / params; null for the teacher.</summary>
    public double? CompressionParams { get; init; }
    /// <summary>Teacher file bytes / file bytes; null for the teacher.</summary>
    public double? CompressionBytes { get; init; }

    /// <summary>Temperature samples per question besides the greedy one (0 = none).</summary>
    public int Samples { get; init; }
    /// <summary>Accuracy of the majority vote over the temperature samples; null without samples or gold.</summary>
    public double? SelfConsistencyAccuracy { get; init; }

    /// <summary>Prompt tokens per second reading one prompt alone (batch of one sequence).</summary>
    public double? PrefillTokensPerS { get; init; }
    /// <summary>Tokens per second generating one sequence alone, one token per decode.</summary>
    public double? DecodeTokensPerS { get; init; }
    /// <summary>Wall seconds of the whole batched answering run divided by the questions (all samples included).</summary>
    public double? SecondsPerQuestion { get; init; }
    /// <summary>Generated tokens per second over the batched answering run (throughput with continuous batching).</summary>
    public double? GeneratedTokensPerS { get; init; }

    /// <summary>Mean per-token coarsened KL(teacher ‖ this model) over held-out teacher traces, nats; null without traces.</summary>
    public double? KlTeacherModel { get; init; }
    /// <summary>Mean −log q(teacher's token) over held-out teacher traces, nats per token; null without traces.</summary>
    public double? NllTeacherTokens { get; init; }
    public long? ScoredTokens { get; init; }

    /// <summary>Training loss by step, when the student's folder carries a metrics.jsonl; else null.</summary>
    public IReadOnlyList<LossPoint>? TrainingCurve { get; init; }
}
