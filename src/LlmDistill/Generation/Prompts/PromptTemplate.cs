using System.Security.Cryptography;
using Microsoft.SemanticKernel;

namespace LlmDistill.Generation.Prompts;

/// <summary>
/// A prompt file (YAML, Semantic Kernel template format plus our fields; see prompts/README.md) ready to render
/// offline with <see cref="KernelPromptTemplateFactory"/>. Variables available to <c>template</c>, <c>system</c> and
/// <c>example_template</c>: <c>question</c>, <c>answer</c> (examples only), <c>examples</c> (all few-shot examples
/// rendered and joined), <c>example_1_question</c>, <c>example_1_answer</c>, ... and <c>answer_format</c>.
/// Values are inserted verbatim (no HTML encoding, no template evaluation inside them).
/// </summary>
public sealed class PromptTemplate
{
    public const string TemplateFormat = "semantic-kernel";
    const string DefaultExampleTemplate = "Question: {{$question}}\nAnswer: {{$answer}}";
    const string DefaultExampleSeparator = "\n\n";

    static readonly Kernel EmptyKernel = new();

    // Every variable we render is data for a local model, not HTML for a chat service: without this the factory
    // turns "x < 5 & y > 2" into "x &lt; 5 &amp; y &gt; 2". The switch covers all variables, including the
    // numbered example_N_* ones whose names are only known at render time.
    static readonly KernelPromptTemplateFactory RawContentFactory = new() { AllowDangerouslySetContent = true };

    readonly IPromptTemplate _user, _system, _example;
    readonly string _exampleSeparator;
    string? _sharedUserPrefix;

    PromptTemplate(string path, PromptFile file, string hash)
    {
        Path = path;
        Hash = hash;
        Name = file.Name ?? System.IO.Path.GetFileNameWithoutExtension(path.StartsWith(BuiltInPath, StringComparison.Ordinal) ? path[BuiltInPath.Length..] : path);
        Description = file.Description ?? "";
        FewShot = file.FewShot ?? [];
        AnswerFormat = file.AnswerFormat ?? "";
        StopStrings = file.Stop ?? [];
        _exampleSeparator = file.ExampleSeparator ?? DefaultExampleSeparator;
        _user = Compile(file.Template!, file.InputVariables);
        _system = Compile(file.System ?? "", null);
        _example = Compile(file.ExampleTemplate ?? DefaultExampleTemplate, null);
    }

    public static PromptTemplate Load(string path) => Parse(path, File.ReadAllBytes(path));

    /// <summary>
    /// <paramref name="nameOrPath"/> as a file when one exists there, else the built-in template of that name
    /// (<see cref="BuiltInPrompts"/>); null means <see cref="BuiltInPrompts.Default"/>. A built-in's path is <c>builtin:NAME</c>.
    /// </summary>
    public static PromptTemplate Resolve(string? nameOrPath)
    {
        if (nameOrPath is not null && File.Exists(nameOrPath)) return Load(nameOrPath);
        string name = nameOrPath ?? BuiltInPrompts.Default;
        if (!BuiltInPrompts.Names.Contains(name))
            throw new FileNotFoundException($"prompt template not found: {nameOrPath} is neither a file nor a built-in template ({string.Join(", ", BuiltInPrompts.Names)})", nameOrPath);
        return Parse($"{BuiltInPath}{name}", BuiltInPrompts.Read(name));
    }

    /// <summary>How <see cref="Path"/> marks a template that came from inside the library.</summary>
    public const string BuiltInPath = "builtin:";

    static PromptTemplate Parse(string path, byte[] bytes)
    {
        PromptFile file;
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        if (Pipeline.YamlText.FindForbiddenCharacter(text) is { } forbidden) throw new FormatException($"{path}, {forbidden}");
        try { file = PromptFile.FromYaml(text); }
        catch (YamlDotNet.Core.YamlException e) { throw new FormatException($"{path}: {e.Message}", e); }
        // YamlDotNet's scanner and loader also throw these for some malformed text (found by fuzzing: tests/fuzz).
        catch (Exception e) when (e is InvalidOperationException or ArgumentException) { throw new FormatException($"{path}: not valid YAML ({e.Message})", e); }

        if (string.IsNullOrWhiteSpace(file.Template)) throw new FormatException($"{path}: 'template' is missing or empty");
        if (file.TemplateFormat is not (null or TemplateFormat))
            throw new FormatException($"{path}: template_format '{file.TemplateFormat}' is not supported; use '{TemplateFormat}'");
        // An empty list item ("-" alone) deserializes to null (found by fuzzing: a NullReferenceException in Compile).
        if (file.InputVariables?.IndexOf(null!) is >= 0 and int emptyVariable)
            throw new FormatException($"{path}: input_variables item {emptyVariable + 1} is empty");
        if (file.FewShot?.IndexOf(null!) is >= 0 and int emptyExample)
            throw new FormatException($"{path}: few_shot item {emptyExample + 1} is empty");
        if (file.FewShot?.FirstOrDefault(e => string.IsNullOrWhiteSpace(e.Question)) is not null)
            throw new FormatException($"{path}: every few_shot example needs a 'question'");
        // Semantic Kernel checks variable names when it compiles (found by fuzzing: a name with a stray byte).
        try { return new PromptTemplate(path, file, Convert.ToHexStringLower(SHA256.HashData(bytes))); }
        catch (KernelException e) { throw new FormatException($"{path}: {e.Message}", e); }
    }

    public string Path { get; }
    public string Name { get; }
    public string Description { get; }

    /// <summary>SHA-256 of the file's bytes (lower-case hex): any edit, even whitespace, changes it.</summary>
    public string Hash { get; }
    public IReadOnlyList<FewShotExample> FewShot { get; }
    public string AnswerFormat { get; }

    /// <summary>Strings that end a completion (the generator cuts the text before them).</summary>
    public IReadOnlyList<string> StopStrings { get; }

    /// <summary>
    /// The prompt for one question. <paramref name="examples"/> replaces the file's few_shot list (e.g. seed
    /// questions drawn at run time for synthesis, where <paramref name="question"/> may be empty).
    /// </summary>
    public RenderedPrompt Render(string question, IReadOnlyList<FewShotExample>? examples = null)
    {
        var arguments = Arguments(question, examples ?? FewShot);
        return new RenderedPrompt(RenderText(_system, arguments), RenderText(_user, arguments));
    }

    /// <summary>
    /// The longest start of the user text that is the same for every question (with the file's few-shot examples):
    /// <c>Render(q).User == SharedUserPrefix + suffix(q)</c>. Empty when the question comes first.
    /// </summary>
    public string SharedUserPrefix => _sharedUserPrefix ??= SharedUserPrefixFor(FewShot);

    public string SharedUserPrefixFor(IReadOnlyList<FewShotExample> examples) =>
        SharedPrefix.Of(Render(SharedPrefix.SentinelA, examples).User, Render(SharedPrefix.SentinelB, examples).User);

    KernelArguments Arguments(string question, IReadOnlyList<FewShotExample> examples)
    {
        var arguments = new KernelArguments
        {
            ["question"] = question,
            ["answer_format"] = AnswerFormat,
        };
        var rendered = new List<string>(examples.Count);
        for (int i = 0; i < examples.Count; i++)
        {
            var example = examples[i];
            arguments[$"example_{i + 1}_question"] = example.Question;
            arguments[$"example_{i + 1}_answer"] = example.Answer ?? "";
            rendered.Add(RenderText(_example, new KernelArguments
            {
                ["question"] = example.Question,
                ["answer"] = example.Answer ?? "",
                ["answer_format"] = AnswerFormat,
            }));
        }
        arguments["examples"] = string.Join(_exampleSeparator, rendered);
        return arguments;
    }

    // Rendering calls no functions, so the task is already complete; blocking on it costs nothing.
    static string RenderText(IPromptTemplate template, KernelArguments arguments) =>
        template.RenderAsync(EmptyKernel, arguments).GetAwaiter().GetResult();

    static IPromptTemplate Compile(string text, List<PromptFileVariable>? declared)
    {
        var config = new PromptTemplateConfig(text) { TemplateFormat = TemplateFormat };
        foreach (var variable in declared ?? [])
            if (variable.Name is not null)
                config.InputVariables.Add(new InputVariable { Name = variable.Name, Description = variable.Description ?? "", IsRequired = variable.IsRequired });
        return RawContentFactory.Create(config);
    }
}
