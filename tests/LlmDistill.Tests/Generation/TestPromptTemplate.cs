using LlmDistill.Generation.Prompts;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Generation;

public class TestPromptTemplate
{
    const string SmallPrompt = """
        name: small
        description: test prompt
        template_format: semantic-kernel
        system: "Be brief. {{$answer_format}}"
        template: |-
          {{$examples}}

          Q: {{$question}}
          A:
        input_variables:
          - name: question
            is_required: true
        example_template: "Q: {{$question}}\nA: {{$answer}}"
        few_shot:
          - question: 1 + 1?
            answer: "#### 2"
          - question: 2 < 3 & 4 > 1?
            answer: "#### yes"
        answer_format: End with "#### <answer>".
        stop: ["\nQ:", "</s>"]
        """;

    [Fact]
    public void Question_with_angle_brackets_and_ampersands_is_rendered_verbatim()
    {
        using var dir = new TempDirectory();
        var template = PromptTemplate.Load(dir.Write("small.yaml", SmallPrompt));

        var prompt = template.Render("If x < 5 & y > 2, is <b>x</b> {{$answer}} \"small\"?");

        Assert.Equal(
            "Q: 1 + 1?\nA: #### 2\n\nQ: 2 < 3 & 4 > 1?\nA: #### yes\n\nQ: If x < 5 & y > 2, is <b>x</b> {{$answer}} \"small\"?\nA:",
            prompt.User);
        Assert.Equal("Be brief. End with \"#### <answer>\".", prompt.System);
    }

    [Fact]
    public void Name_description_and_stop_strings_come_from_the_file()
    {
        using var dir = new TempDirectory();
        var template = PromptTemplate.Load(dir.Write("small.yaml", SmallPrompt));

        Assert.Equal(("small", "test prompt"), (template.Name, template.Description));
        Assert.Equal(["\nQ:", "</s>"], template.StopStrings);
        Assert.Equal(2, template.FewShot.Count);
    }

    [Fact]
    public void Examples_can_be_given_at_render_time_and_as_numbered_variables()
    {
        using var dir = new TempDirectory();
        var template = PromptTemplate.Load(dir.Write("numbered.yaml", """
            template: "First: {{$example_1_question}} -> {{$example_1_answer}}. Then {{$question}}"
            few_shot:
              - question: a
                answer: b
            """));

        Assert.Equal("First: a -> b. Then q", template.Render("q").User);
        Assert.Equal("First: c -> . Then q", template.Render("q", [new FewShotExample("c", null)]).User);
        Assert.Equal("", template.Render("q").System);
    }

    [Fact]
    public void Shared_prefix_is_everything_before_the_question()
    {
        using var dir = new TempDirectory();
        var template = PromptTemplate.Load(dir.Write("small.yaml", SmallPrompt));

        string prefix = template.SharedUserPrefix;

        Assert.Equal("Q: 1 + 1?\nA: #### 2\n\nQ: 2 < 3 & 4 > 1?\nA: #### yes\n\nQ: ", prefix);
        foreach (string question in new[] { "Q: tricky", "What is 7 * 6?", "" })
            Assert.StartsWith(prefix, template.Render(question).User, StringComparison.Ordinal);
        Assert.Equal("Q: 1 + 1?\nA: #### 2\n\nQ: 2 < 3 & 4 > 1?\nA: #### yes\n\n", SharedPrefix.AtLineBoundary(prefix));
    }

    [Fact]
    public void Shared_prefix_is_empty_when_the_question_comes_first()
    {
        using var dir = new TempDirectory();
        var template = PromptTemplate.Load(dir.Write("first.yaml", "template: \"{{$question}} Think.\""));

        Assert.Equal("", template.SharedUserPrefix);
    }

    [Fact]
    public void Hash_is_the_sha256_of_the_file_and_changes_with_any_edit()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("small.yaml", SmallPrompt);
        string before = PromptTemplate.Load(path).Hash;

        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path))), before);
        Assert.Equal(before, PromptTemplate.Load(path).Hash);
        File.AppendAllText(path, "\n");
        Assert.NotEqual(before, PromptTemplate.Load(path).Hash);
    }

    [Theory]
    [InlineData("description: no template", "'template' is missing")]
    [InlineData("template: x\ntemplate_format: handlebars", "template_format 'handlebars' is not supported")]
    [InlineData("template: x\ntempalte_format: semantic-kernel", "tempalte_format")]
    [InlineData("template: x\nfew_shot:\n  - answer: 1", "needs a 'question'")]
    [InlineData("template: x\ninput_variables:\n  -\n", "input_variables item 1 is empty")] // found by fuzzing
    [InlineData("template: x\nfew_shot:\n  - question: a\n    answer: b\n  -\n", "few_shot item 2 is empty")]
    public void Invalid_prompt_files_are_refused_naming_the_file(string yaml, string reason)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.yaml", yaml);

        var error = Assert.ThrowsAny<FormatException>(() => PromptTemplate.Load(path));

        Assert.Contains(path, error.Message);
        Assert.Contains(reason, error.Message);
    }

    [Theory]
    [InlineData("cot-math.yaml", 3)]
    [InlineData("answer-only-math.yaml", 3)]
    [InlineData("synthesize-questions.yaml", 3)]
    public void Shipped_prompts_load_and_render_with_their_examples(string file, int examples)
    {
        var template = PromptTemplate.Load(RepositoryFiles.Path($"prompts/{file}"));

        var prompt = template.Render("Sam has 5 < 7 apples & pears.");

        Assert.Equal(examples, template.FewShot.Count);
        Assert.NotEmpty(template.StopStrings);
        Assert.DoesNotContain("{{", prompt.User + prompt.System);
        foreach (var example in template.FewShot) Assert.Contains(example.Question, prompt.User);
        Assert.StartsWith(template.SharedUserPrefix, prompt.User, StringComparison.Ordinal);
        Assert.Equal(file != "synthesize-questions.yaml", prompt.User.Contains("Sam has 5 < 7 apples & pears."));
    }

    [Fact]
    public void Cot_math_examples_end_with_the_answer_format_the_extractor_reads()
    {
        var template = PromptTemplate.Load(RepositoryFiles.Path("prompts/cot-math.yaml"));

        var answers = template.FewShot.Select(e => LlmDistill.Answers.AnswerExtractor.Default.Extract(e.Answer!));

        Assert.Equal([("13", "gsm8k"), ("6", "gsm8k"), ("210", "gsm8k")], answers.Select(a => (a.Answer, a.Pattern)));
        Assert.EndsWith("Question: Sam?\nAnswer:", template.Render("Sam?").User);
    }

    [Fact]
    public void Synthesis_renders_seed_questions_given_at_run_time()
    {
        var template = PromptTemplate.Load(RepositoryFiles.Path("prompts/synthesize-questions.yaml"));

        var prompt = template.Render("", [new FewShotExample("Seed one?", null), new FewShotExample("Seed two?", null)]);

        Assert.StartsWith("Here are some example problems:\n\nProblem: Seed one?\n\nProblem: Seed two?\n\nWrite ONE new problem", prompt.User);
        Assert.Contains("END", prompt.System);
        Assert.Contains("END", template.StopStrings);
    }

    [Fact]
    public void Without_a_template_the_general_built_in_is_used_and_every_shipped_template_is_built_in_byte_for_byte()
    {
        var general = PromptTemplate.Resolve(null);
        Assert.Equal(BuiltInPrompts.Default, general.Name);
        Assert.Equal(PromptTemplate.BuiltInPath + BuiltInPrompts.Default, general.Path);
        Assert.Contains("Question: 12 apples?", general.Render("12 apples?").User);
        foreach (string file in Directory.EnumerateFiles(RepositoryFiles.Path("prompts"), "*.yaml"))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            Assert.Contains(name, BuiltInPrompts.Names);
            Assert.Equal(PromptTemplate.Load(file).Hash, PromptTemplate.Resolve(name).Hash);
        }
    }

    [Fact]
    public void A_name_that_is_neither_a_file_nor_a_built_in_lists_the_built_ins()
    {
        var error = Assert.Throws<FileNotFoundException>(() => PromptTemplate.Resolve("cot-maths"));
        Assert.Contains("cot-general", error.Message);
    }

    [Fact]
    public void YAML_that_YamlDotNet_rejects_without_a_YamlException_is_a_FormatException_naming_the_file()
    {
        // Found by fuzzing the pipeline file, whose YAML goes through the same library (tests/fuzz/regressions).
        using var dir = new TempDirectory();
        string path = dir.Write("odd.yaml", "!!0A.%0AdA");
        var e = Assert.Throws<FormatException>(() => PromptTemplate.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_file_whose_top_level_is_plain_text_is_a_FormatException_not_a_stack_overflow()
    {
        // Found by fuzzing: YamlDotNet read the scalar through the file type's static Parse(string), which recursed.
        using var dir = new TempDirectory();
        string path = dir.Write("text.yaml", "just a line of text");
        var e = Assert.Throws<FormatException>(() => PromptTemplate.Load(path));
        Assert.Contains(path, e.Message);
    }
}
