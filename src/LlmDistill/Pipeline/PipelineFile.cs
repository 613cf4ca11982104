using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Evaluation;
using LlmDistill.Export;
using LlmDistill.Generation;
using LlmDistill.Training;
using YamlDotNet.RepresentationModel;

namespace LlmDistill.Pipeline;

/// <summary>
/// A pipeline file (<c>llmdistill run pipeline.yaml</c>): one teacher, one output folder, and a section per stage
/// (generate → train → [onpolicy] → export → eval) whose keys are that stage's options with the same names and defaults as its
/// command (<c>top_p</c> for <c>--top-p</c>). Top-level <c>raw</c> and <c>gpu_layers</c> apply to generate and eval
/// unless a section sets its own. Relative paths are read from the file's folder. Example: <c>datasets/pipeline-gsm8k.yaml</c>.
/// </summary>
public sealed record PipelineFile
{
    public required string Path { get; init; }
    public required string Teacher { get; init; }
    public required string OutputFolder { get; init; }
    public required GenerateSettings Generate { get; init; }
    public required TrainSettings Train { get; init; }
    /// <summary>On-policy rounds that continue the trained student (the optional <c>onpolicy</c> section); null when absent.</summary>
    public TrainSettings? OnPolicy { get; init; }
    public required ExportSettings Export { get; init; }
    public required EvalSettings Eval { get; init; }

    public ExportType ExportType => Export.Type;
    public string TracesFolder => Generate.OutputFolder;
    public string StudentRun => OnPolicy?.OutputFolder ?? Train.OutputFolder;
    public string StudentGguf => Export.OutputPath;
    public string ReportFolder => Eval.OutputFolder;

    static readonly string[] TopLevelKeys = ["teacher", "out", "raw", "gpu_layers", "generate", "train", "onpolicy", "export", "eval"];

    /// <summary>Reads and checks <paramref name="path"/>; a bad file gets one sentence naming the file, line and key.</summary>
    public static PipelineFile Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The pipeline file {full} does not exist.", full);
        var yaml = new PipelineYaml(full);
        var root = ReadRoot(full);
        foreach (var key in root.Children.Keys)
            if (key is not YamlScalarNode { Value: { } name } || !TopLevelKeys.Contains(name))
                throw new InvalidDataException($"{full}, line {key.Start.Line}, column {key.Start.Column}: unknown key '{key}' (known: {string.Join(", ", TopLevelKeys)}).");

        string folder = System.IO.Path.GetDirectoryName(full)!;
        string Required(string key) => Scalar(root, key) is { } value ? System.IO.Path.GetFullPath(value, folder)
            : throw new InvalidDataException($"{full}: '{key}' is missing.");
        YamlMappingNode? Section(string key, bool required) => root.Children.TryGetValue(key, out var node)
            ? node as YamlMappingNode ?? throw new InvalidDataException($"{full}, line {node.Start.Line}: '{key}' must be a section of keys.")
            : required ? throw new InvalidDataException($"{full}: the '{key}' section is missing.") : null;

        string teacher = Required("teacher");
        string output = Required("out");
        var shared = new Dictionary<string, string[]>();
        if (Scalar(root, "raw") is { } raw) shared["raw"] = [raw];
        if (Scalar(root, "gpu_layers") is { } gpu) shared["gpu-layers"] = [gpu];
        string traces = System.IO.Path.Combine(output, "traces"), run = System.IO.Path.Combine(output, "student");

        var generate = yaml.Read<GenerateSettings>("generate", Section("generate", required: true),
            new Dictionary<string, string[]>(shared) { ["teacher"] = [teacher], ["out"] = [traces] }, ["teacher", "out"]);

        var trainSection = Section("train", required: false);
        bool fromFile = HasKey(trainSection, "init") || HasKey(trainSection, "init_from_teacher");
        var trainPreset = new Dictionary<string, string[]> { ["traces"] = [traces], ["out"] = [run] };
        if (!fromFile) trainPreset["teacher"] = [teacher];
        var train = yaml.Read<TrainSettings>("train", trainSection, trainPreset, ["traces", "out", "teacher", "resume"]);

        // On-policy rounds start from the trained student's checkpoint weights; the teacher scores the student's samples.
        TrainSettings? onPolicy = null;
        if (Section("onpolicy", required: false) is { } onPolicySection)
        {
            string onPolicyRun = System.IO.Path.Combine(output, "onpolicy");
            onPolicy = yaml.Read<TrainSettings>("onpolicy", onPolicySection, new Dictionary<string, string[]>
            {
                ["traces"] = [traces], ["out"] = [onPolicyRun], ["teacher"] = [teacher], ["on-policy"] = ["true"],
                ["init"] = [System.IO.Path.Combine(run, Trainer.CheckpointFolderName, Student.StudentCheckpoint.WeightsFile)],
            }, ["traces", "out", "teacher", "init", "init_from_teacher", "student", "on_policy", "resume"]);
            run = onPolicyRun;
        }

        // The student's file is named after its type, which the section chooses.
        var export = yaml.Read<ExportSettings>("export", Section("export", required: false), new Dictionary<string, string[]> { ["checkpoint"] = [run], ["out"] = [""] }, ["checkpoint", "out"]);
        export = export with { OutputPath = System.IO.Path.Combine(output, $"student-{export.Type.Name()}.gguf") };

        var evalSection = Section("eval", required: true);
        var evalPreset = new Dictionary<string, string[]>(shared)
        {
            ["teacher"] = [teacher], ["student"] = [export.OutputPath], ["out"] = [System.IO.Path.Combine(output, "report")], ["force"] = ["true"],
        };
        if (!HasKey(evalSection, "prompt") && generate.Prompt.Template is { } prompt) evalPreset["prompt"] = [prompt];
        var eval = yaml.Read<EvalSettings>("eval", evalSection, evalPreset, ["teacher", "student", "out", "force"]);

        // Inputs that earlier stages make (traces, the student GGUF) are checked when their stage runs.
        yaml.Validate("generate", generate);
        yaml.Validate("train", train, "Data.TracesFolder");
        if (onPolicy is not null) yaml.Validate("onpolicy", onPolicy, "Data.TracesFolder");
        yaml.Validate("export", export);
        yaml.Validate("eval", eval, nameof(EvalSettings.StudentPaths));
        return new PipelineFile { Path = full, Teacher = teacher, OutputFolder = output, Generate = generate, Train = train, OnPolicy = onPolicy, Export = export, Eval = eval };
    }

    static YamlMappingNode ReadRoot(string full)
    {
        var stream = new YamlStream();
        try
        {
            string text = File.ReadAllText(full);
            if ((YamlText.FindForbiddenCharacter(text) ?? YamlText.FindAliasProblem(text)) is { } forbidden) throw new InvalidDataException($"{full}, {forbidden}.");
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"{full}, line {e.Start.Line}, column {e.Start.Column}: {e.InnerException?.Message ?? e.Message}", e);
        }
        // YamlDotNet's scanner and loader also throw these for some malformed text (found by fuzzing: tests/fuzz).
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{full}: not valid YAML ({e.Message})", e);
        }
        if (stream.Documents.Count == 0) throw new InvalidDataException($"{full} is empty.");
        return stream.Documents[0].RootNode as YamlMappingNode ?? throw new InvalidDataException($"{full}: the file must be a mapping of keys (teacher, out, generate, ...).");
    }

    static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? (value as YamlScalarNode)?.Value : null;

    static bool HasKey(YamlMappingNode? node, string key) => node?.Children.ContainsKey(key) ?? false;
}
