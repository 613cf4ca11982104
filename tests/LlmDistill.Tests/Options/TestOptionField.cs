using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Cli;
using LlmDistill.Evaluation;
using LlmDistill.Export;
using LlmDistill.Generation;
using LlmDistill.Options;
using LlmDistill.Pipeline;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;

namespace LlmDistill.Tests.Options;

/// <summary>
/// The settings records are the one source of option names and defaults: every property of every stage's record is
/// an option of its command (same name, its default shown) and a key of its pipeline.yaml section.
/// </summary>
public class TestOptionField
{
    public static TheoryData<string, Type> Stages => new()
    {
        { "generate", typeof(GenerateSettings) },
        { "train", typeof(TrainSettings) },
        { "export", typeof(ExportSettings) },
        { "eval", typeof(EvalSettings) },
    };

    /// <summary>Commands whose options are a settings record, by their words on the command line.</summary>
    public static TheoryData<string[], Type> Commands => new()
    {
        { ["generate"], typeof(GenerateSettings) },
        { ["train"], typeof(TrainSettings) },
        { ["export"], typeof(ExportSettings) },
        { ["eval"], typeof(EvalSettings) },
        { ["synthesize"], typeof(SynthesizeSettings) },
        { ["complete"], typeof(PromptCompletionSettings) },
        { ["score"], typeof(LlmDistill.Scoring.ScoreSettings) },
        { ["tokenize"], typeof(LlmDistill.Tokenization.TokenizeSettings) },
        { ["serve"], typeof(LlmDistill.Serving.ServeSettings) },
        { ["traces", "export"], typeof(LlmDistill.Traces.Export.TraceExportSettings) },
        { ["traces", "import"], typeof(LlmDistill.Traces.Import.TraceImportSettings) },
    };

    static string Help(string[] command)
    {
        var output = new StringWriter();
        Assert.Equal(0, LlmDistillCli.Run([.. command, "--help"], output, new StringWriter()));
        return output.ToString();
    }

    [Theory, MemberData(nameof(Commands))]
    public void Every_settings_property_is_an_option_of_its_command_with_its_default(string[] command, Type settings)
    {
        string help = Help(command);
        var fields = OptionField.Of(settings);
        Assert.NotEmpty(fields);
        foreach (var field in fields)
        {
            Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(OptionNames.Flag(field.Name))}[ ,]", help);
            if (field.Default is not null and not false && !field.IsList)
                Assert.Contains($"[default: {OptionValues.Format(field.Default)}]", help);
        }
    }

    [Theory, MemberData(nameof(Stages))]
    public void Every_settings_property_is_a_key_of_its_pipeline_section(string section, Type settings)
    {
        var keys = PipelineYaml.Keys(settings).ToHashSet();
        foreach (var field in OptionField.Of(settings))
            Assert.Contains(field.Name.Replace('-', '_'), keys);
        Assert.Equal(OptionField.Of(settings).Count, keys.Count); // no two options share a name
        Assert.NotEmpty(section);
    }

    [Fact]
    public void Option_names_are_unique_within_each_command()
    {
        foreach (var type in new[] { typeof(GenerateSettings), typeof(TrainSettings), typeof(ExportSettings), typeof(EvalSettings) })
        {
            var names = OptionField.Of(type).SelectMany(f => f.Aliases.Append(OptionNames.Flag(f.Name))).ToList();
            Assert.Equal(names.Count, names.Distinct().Count());
        }
    }

    [Fact]
    public void Nested_groups_are_flat_options_whose_path_names_the_property()
    {
        var fields = OptionField.Of(typeof(GenerateSettings));
        Assert.Equal("Sampling.TopP", OptionField.At(fields, "Sampling.TopP")!.Path);
        Assert.Equal("top-p", OptionField.At(fields, "Sampling.TopP")!.Name);
        Assert.Equal("sampling-top-k", OptionField.At(fields, "Sampling.TopK")!.Name);
        Assert.Equal("top-k", OptionField.At(fields, "Capture.TopK")!.Name);
        Assert.Equal(0.95f, OptionField.At(fields, "Sampling.TopP")!.Default);
    }

    [Fact]
    public void Binding_keeps_defaults_parses_closed_sets_and_never_changes_a_shared_default()
    {
        var fields = OptionField.Of(typeof(TrainSettings));
        OptionField F(string path) => OptionField.At(fields, path)!;
        var settings = OptionBinder.Bind<TrainSettings>([
            (F("Data.TracesFolder"), ["t"]), (F("OutputFolder"), ["o"]), (F("Trainer.Loss.Divergence"), ["jsd:0.25"]),
            (F("Trainer.Device"), ["cuda:1"]), (F("Student.Layers"), ["0,2"]), (F("Trainer.LearningRate"), ["3e-4"]),
        ]);
        Assert.Equal(new LlmDistill.Training.Losses.Divergence.Jsd(0.25), settings.Trainer.Loss.Divergence);
        Assert.Equal(ComputeDevice.Cuda(1), settings.Trainer.Device);
        Assert.Equal("0,2", settings.Student.Layers.Text);
        Assert.Equal(3e-4, settings.Trainer.LearningRate);
        Assert.Equal(new TrainerOptions().BatchSize, settings.Trainer.BatchSize);
        Assert.Equal(3e-5, settings.Trainer.EffectiveMinLearningRate, 12);
        Assert.Equal(new LlmDistill.Training.Losses.Divergence.Forward(), new TrainerOptions().Loss.Divergence);
    }

    [Fact]
    public void A_value_that_does_not_parse_names_the_property_and_what_was_expected()
    {
        var field = OptionField.At(OptionField.Of(typeof(ExportSettings)), "Type")!;
        var error = Assert.Throws<OptionsException>(() => OptionBinder.Bind<ExportSettings>([(field, ["q3_xs"])]));
        Assert.Equal("Type", error.Errors.Single().Property);
        Assert.Contains("q4_k_m", error.Message);
        Assert.StartsWith("ExportSettings.Type", error.Message);
    }

    [Fact]
    public void Library_errors_name_properties_and_the_cli_names_the_same_errors_by_flag()
    {
        using var folder = new TempDirectory();
        string teacher = folder.Write("t.gguf", "x");
        string data = folder.Write("d.jsonl", "{}");
        var settings = new GenerateSettings
        {
            TeacherPath = teacher, DataPath = data, OutputFolder = folder.File("out"),
            Sampling = new() { TopP = 1.5f }, Engine = new() { Parallel = 0 }, Samples = 0,
        };
        var error = Assert.Throws<OptionsException>(() => OptionsException.ThrowIfInvalid(settings));
        Assert.Equal(["Samples", "Sampling.TopP", "Engine.Parallel"], error.Errors.Select(e => e.Property));
        Assert.DoesNotContain("--", error.Message);
        Assert.Contains("GenerateSettings.Sampling.TopP must lie in (0, 1], not 1.5", error.Message);

        var stderr = new StringWriter();
        int code = LlmDistillCli.Run(["generate", "-t", teacher, "-d", data, "-o", folder.File("out"), "--top-p", "1.5", "--parallel", "0", "--samples", "0"], new StringWriter(), stderr);
        Assert.Equal(2, code);
        Assert.Contains("--top-p must lie in (0, 1], not 1.5", stderr.ToString());
        Assert.Contains("--parallel must be at least 1, not 0", stderr.ToString());
        Assert.Contains("--samples must be at least 1, not 0", stderr.ToString());
    }

    [Fact]
    public void No_library_source_file_names_a_cli_flag_in_a_string()
    {
        string src = Generation.RepositoryFiles.Path("src/LlmDistill");
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line)))
            // An OptionName's aliases are CLI spellings by definition; everything else on the line is checked.
            .Select(x => (x.f, x.i, line: System.Text.RegularExpressions.Regex.Replace(x.line, @"OptionName\([^)]*\)", "")))
            .Where(x => System.Text.RegularExpressions.Regex.IsMatch(x.line, "\"[^\"]*--[a-z][a-z-]+[^\"]*\"") && !x.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .Select(x => $"{Path.GetRelativePath(src, x.f)}:{x.i + 1}").ToList();
        Assert.Empty(offenders);
    }
}
