using LlmDistill.Evaluation;
using LlmDistill.Generation;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace LlmDistill.Pipeline;

/// <summary>
/// A pipeline file (<c>llmdistill run pipeline.yaml</c>): one teacher, one output folder, and the settings of the
/// generate → train → export → eval stages, each with the same defaults as its command. Relative paths are read
/// from the file's folder. Example with every key: <c>datasets/pipeline-example.yaml</c>.
/// </summary>
public sealed record PipelineFile
{
    public required string Path { get; init; }
    public required string Teacher { get; init; }
    public required string OutputFolder { get; init; }
    public required GenerateSettings Generate { get; init; }
    public required TrainSettings Train { get; init; }
    public required string ExportType { get; init; }
    public required EvalSettings Eval { get; init; }

    public string TracesFolder => System.IO.Path.Combine(OutputFolder, "traces");
    public string StudentRun => System.IO.Path.Combine(OutputFolder, "student");
    public string StudentGguf => System.IO.Path.Combine(OutputFolder, $"student-{ExportType}.gguf");
    public string ReportFolder => System.IO.Path.Combine(OutputFolder, "report");

    /// <summary>Reads and checks <paramref name="path"/>; a bad file gets one sentence naming the file, line and key.</summary>
    public static PipelineFile Load(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full)) throw new FileNotFoundException($"The pipeline file {full} does not exist.", full);
        Yaml yaml;
        try
        {
            yaml = new DeserializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build()
                .Deserialize<Yaml?>(File.ReadAllText(full)) ?? throw new InvalidDataException($"{full} is empty.");
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            string inner = e.InnerException?.Message ?? e.Message;
            throw new InvalidDataException($"{full}, line {e.Start.Line}, column {e.Start.Column}: {inner}", e);
        }
        string folder = System.IO.Path.GetDirectoryName(full)!;
        string Resolve(string? value, string key) => value is null
            ? throw new InvalidDataException($"{full}: '{key}' is missing.")
            : System.IO.Path.GetFullPath(value, folder);
        string? Optional(string? value) => value is null ? null : System.IO.Path.GetFullPath(value, folder);

        string teacher = Resolve(yaml.Teacher, "teacher");
        string output = Resolve(yaml.Out, "out");
        var g = yaml.Generate ?? throw new InvalidDataException($"{full}: the 'generate' section is missing.");
        var t = yaml.Train ?? throw new InvalidDataException($"{full}: the 'train' section is missing.");
        var e2 = yaml.Eval ?? throw new InvalidDataException($"{full}: the 'eval' section is missing.");
        string generatePrompt = Resolve(g.Prompt, "generate.prompt");

        var generateDefaults = new GenerateSettings { TeacherPath = "", DataPath = "", PromptPath = "", OutputFolder = "" };
        var generate = generateDefaults with
        {
            TeacherPath = teacher, DataPath = Resolve(g.Data, "generate.data"), PromptPath = generatePrompt,
            OutputFolder = System.IO.Path.Combine(output, "traces"), Raw = yaml.Raw ?? false,
            Samples = g.Samples ?? generateDefaults.Samples, CaptureTopK = g.TopK ?? generateDefaults.CaptureTopK, Temperature = g.Temperature,
            MaxTokens = g.MaxTokens ?? generateDefaults.MaxTokens, Parallel = g.Parallel ?? generateDefaults.Parallel,
            Keep = g.Keep is null ? generateDefaults.Keep : KeepPolicies.Parse(g.Keep), Seed = g.Seed ?? 0, Limit = g.Limit,
            GpuLayers = yaml.GpuLayers ?? 0,
        };

        var defaults = new TrainerOptions();
        double lr = t.LearningRate ?? defaults.LearningRate;
        var train = new TrainSettings
        {
            Data = new TraceDataSettings { TracesFolder = generate.OutputFolder, MaxSequenceLength = t.MaxLength ?? 1024 },
            OutputFolder = System.IO.Path.Combine(output, "student"),
            Student = t.Student is null ? null : File.Exists(System.IO.Path.Combine(folder, t.Student)) ? System.IO.Path.GetFullPath(t.Student, folder) : t.Student,
            TeacherPath = t.Init is null && t.InitFromTeacher is not true ? teacher : null,
            InitPath = Optional(t.Init),
            InitFromTeacherPath = t.InitFromTeacher is true ? teacher : null,
            Layers = t.Layers ?? "every-other",
            Options = defaults with
            {
                Steps = t.Steps ?? defaults.Steps, BatchSize = t.BatchSize ?? defaults.BatchSize, GradAccumulation = t.GradAccumulation ?? 1,
                LearningRate = lr, MinLearningRate = lr / 10, WarmupSteps = t.WarmupSteps ?? defaults.WarmupSteps, Seed = t.Seed ?? 0,
                Device = t.Device ?? "cpu",
                Loss = new DistillationLossOptions { Alpha = t.Alpha ?? 0.5, Temperature = t.Temperature ?? 1.0 },
            },
        };
        if (train.Student is null && train.InitPath is null && train.InitFromTeacherPath is null)
            throw new InvalidDataException($"{full}: say how the student starts in 'train': student (a preset or shape file), init (a GGUF) or init_from_teacher: true.");

        string exportType = (yaml.Export?.Type ?? "f16").Trim().ToLowerInvariant();
        if (!StudentExport.TypeNames.Contains(exportType))
            throw new InvalidDataException($"{full}: export.type '{exportType}' is not one of {string.Join(", ", StudentExport.TypeNames)}.");

        var evalDefaults = new EvalSettings { TeacherPath = "", StudentPaths = [], DataPath = "", PromptPath = "", OutputFolder = "" };
        var eval = evalDefaults with
        {
            TeacherPath = teacher, StudentPaths = [System.IO.Path.Combine(output, $"student-{exportType}.gguf")],
            DataPath = Resolve(e2.Data, "eval.data"), PromptPath = Optional(e2.Prompt) ?? generatePrompt,
            OutputFolder = System.IO.Path.Combine(output, "report"), Raw = yaml.Raw ?? false,
            MaxTokens = e2.MaxTokens ?? generate.MaxTokens, Samples = e2.Samples ?? 1, Parallel = e2.Parallel ?? generate.Parallel,
            Limit = e2.Limit, GpuLayers = yaml.GpuLayers ?? 0, Force = true,
        };
        return new PipelineFile { Path = full, Teacher = teacher, OutputFolder = output, Generate = generate, Train = train, ExportType = exportType, Eval = eval };
    }

    // The file's shape: every key optional here so a missing one gets a message naming it.
    sealed class Yaml
    {
        public string? Teacher { get; set; }
        public string? Out { get; set; }
        public bool? Raw { get; set; }
        public int? GpuLayers { get; set; }
        public GenerateYaml? Generate { get; set; }
        public TrainYaml? Train { get; set; }
        public ExportYaml? Export { get; set; }
        public EvalYaml? Eval { get; set; }
    }

    sealed class GenerateYaml
    {
        public string? Data { get; set; }
        public string? Prompt { get; set; }
        public int? Samples { get; set; }
        public int? TopK { get; set; }
        public float? Temperature { get; set; }
        public int? MaxTokens { get; set; }
        public int? Parallel { get; set; }
        public string? Keep { get; set; }
        public long? Seed { get; set; }
        public long? Limit { get; set; }
    }

    sealed class TrainYaml
    {
        public string? Student { get; set; }
        public string? Init { get; set; }
        public bool? InitFromTeacher { get; set; }
        public string? Layers { get; set; }
        public int? Steps { get; set; }
        public int? BatchSize { get; set; }
        public int? GradAccumulation { get; set; }
        public double? LearningRate { get; set; }
        public int? WarmupSteps { get; set; }
        public double? Alpha { get; set; }
        public double? Temperature { get; set; }
        public int? MaxLength { get; set; }
        public long? Seed { get; set; }
        public string? Device { get; set; }
    }

    sealed class ExportYaml
    {
        public string? Type { get; set; }
    }

    sealed class EvalYaml
    {
        public string? Data { get; set; }
        public string? Prompt { get; set; }
        public int? MaxTokens { get; set; }
        public int? Samples { get; set; }
        public int? Parallel { get; set; }
        public long? Limit { get; set; }
    }
}
