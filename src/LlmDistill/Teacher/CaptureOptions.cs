using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Teacher;

/// <summary>What the teacher's traces record of its distribution at each completion token (the soft targets).</summary>
[OptionGroup]
public sealed record CaptureOptions : IValidatedOptions
{
    [Description("Teacher alternatives recorded per token (soft targets), best first.")]
    public int TopK { get; init; } = 20;

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([OptionChecks.AtLeast(nameof(TopK), TopK, 1)]);
}
