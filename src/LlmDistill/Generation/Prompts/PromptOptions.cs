using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Generation.Prompts;

/// <summary>Which prompt template a stage renders questions with, and whether the model's chat template wraps it.</summary>
[OptionGroup]
public sealed record PromptOptions : IValidatedOptions
{
    [OptionName("prompt"), PathOption(mayBeName: true), Description("Prompt template: a YAML file (Semantic Kernel format) or a built-in name (cot-general, cot-math, answer-only-math, demo-arith). Default: cot-general.")]
    public string? Template { get; init; }

    [Description("Send the rendered template as is, without the model's chat template.")]
    public bool Raw { get; init; }

    /// <summary>The template itself: the file, else the built-in of that name, else the default built-in.</summary>
    public PromptTemplate Load() => PromptTemplate.Resolve(Template);

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect([
        Template is null || File.Exists(Template) || BuiltInPrompts.Names.Contains(Template) ? null
            : new OptionError(nameof(Template), $"'{Template}' is neither a file nor a built-in template ({string.Join(", ", BuiltInPrompts.Names)})"),
    ]);
}
