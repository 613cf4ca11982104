using YamlDotNet.Serialization;

namespace LlmDistill.Generation.Prompts;

/// <summary>
/// The YAML prompt file as written: Semantic Kernel's prompt-template keys (name, description, template_format,
/// template, input_variables, execution_settings, output_variable) plus ours (system, few_shot, example_template,
/// example_separator, answer_format, stop). See prompts/README.md. Unknown keys are errors, to catch typos.
/// </summary>
internal sealed class PromptFile
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? TemplateFormat { get; set; }
    public string? Template { get; set; }
    public List<PromptFileVariable>? InputVariables { get; set; }
    public Dictionary<string, object>? ExecutionSettings { get; set; }
    public Dictionary<string, object>? OutputVariable { get; set; }

    public string? System { get; set; }
    public List<FewShotExample>? FewShot { get; set; }
    public string? ExampleTemplate { get; set; }
    public string? ExampleSeparator { get; set; }
    public string? AnswerFormat { get; set; }
    public List<string>? Stop { get; set; }

    /// <remarks>
    /// Not named Parse: YamlDotNet reads a scalar into any type with a static Parse(string), so a file whose top level is
    /// a scalar sent the text back here, forever (a stack overflow, found by fuzzing: tests/fuzz/regressions/prompt).
    /// </remarks>
    public static PromptFile FromYaml(string yaml) => new DeserializerBuilder()
        .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance)
        .Build()
        .Deserialize<PromptFile?>(yaml) ?? new PromptFile();
}

internal sealed class PromptFileVariable
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public object? Default { get; set; }
    public bool IsRequired { get; set; } = true;
    public object? JsonSchema { get; set; }
    public object? Sample { get; set; }
    public bool AllowDangerouslySetContent { get; set; }
}
