using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Teacher;

/// <summary>How a model's completions are drawn (generate, eval, complete): temperature and cuts, seed, length.</summary>
[OptionGroup]
public sealed record SamplingOptions : IValidatedOptions
{
    /// <summary>Temperature with a single sample when none is given (greedy), and with several (self-consistency).</summary>
    public const float SingleSampleTemperature = 0f, SeveralSamplesTemperature = 0.7f;

    [Description("Sampling temperature (default: 0 = greedy for one sample, 0.7 for several). Stored logprobs are always at temperature 1.")]
    public float? Temperature { get; init; }

    [Description("Nucleus sampling threshold (1 = off).")]
    public float TopP { get; init; } = 0.95f;

    [OptionName("sampling-top-k"), Description("Sample only among the K most likely tokens (0 = off). Not the number of alternatives recorded (top-k).")]
    public int TopK { get; init; } = 40;

    [Description("Min-p cut: drop tokens below this fraction of the most likely one's probability (0 = off).")]
    public float MinP { get; init; }

    [Description("Random seed (each question's draws depend only on seed, question id and sample index).")]
    public long Seed { get; init; }

    [Description("Most tokens per completion.")]
    public int MaxTokens { get; init; } = 512;

    /// <summary>The temperature in force when each question is answered <paramref name="samples"/> times.</summary>
    public float TemperatureFor(int samples) => Temperature ?? (samples > 1 ? SeveralSamplesTemperature : SingleSampleTemperature);

    /// <summary>The generator's per-request sampler settings.</summary>
    public SamplingSettings For(int samples) => new(TemperatureFor(samples), TopK, TopP, MinP, Seed);

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        Temperature is float t ? OptionChecks.AtLeast(nameof(Temperature), t, 0) : null,
        OptionChecks.Within(nameof(TopP), TopP, 0, 1, lowOpen: true),
        OptionChecks.AtLeast(nameof(TopK), TopK, 0),
        OptionChecks.Within(nameof(MinP), MinP, 0, 1),
        OptionChecks.AtLeast(nameof(MaxTokens), MaxTokens, 1),
    ]);
}
