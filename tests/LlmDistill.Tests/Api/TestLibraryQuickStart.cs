using LlmDistill.Evaluation;
using LlmDistill.Export;
using LlmDistill.Generation;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;

namespace LlmDistill.Tests.Api;

/// <summary>
/// The README's library quick start, call for call, on the tiny test teacher with small sizes; training reads every
/// trace (AllTraces), since the random teacher's 12-token completions end by length and no vote keeps them.
/// </summary>
[Collection(TinyTeacherCollection.Name)]
public class TestLibraryQuickStart(TinyTeacherFixture teachers)
{
    [Fact]
    public void Generate_train_export_and_eval_run_from_code_with_the_records_defaults()
    {
        using var folder = new TempDirectory();
        string teacher = teachers.Qwen2Path;
        string data = Generation.RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl");

        var traces = GenerateRun.Run(new GenerateSettings
        {
            TeacherPath = teacher, DataPath = data, OutputFolder = folder.File("traces"),
            Prompt = new() { Template = "cot-math" }, Samples = 2, Keep = KeepPolicy.Majority,
            Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 4,
        });
        var trained = TrainRun.Run(new TrainSettings
        {
            Data = new() { TracesFolder = traces.OutputFolder, MaxSequenceLength = 256, AllTraces = true }, OutputFolder = folder.File("runs/s1"),
            Student = new() { TeacherPath = teacher, Shape = "tiny" }, Trainer = new() { Steps = 2, BatchSize = 2 },
        });
        string student = folder.File("student-f32.gguf");
        StudentExport.Export(new ExportSettings { Checkpoint = folder.File("runs/s1"), OutputPath = student, Type = ExportType.F32 });
        var eval = EvalRun.Run(new EvalSettings
        {
            TeacherPath = teacher, StudentPaths = [student], DataPath = data, OutputFolder = folder.File("reports/r1"),
            Prompt = new() { Template = "cot-math" }, Sampling = new() { MaxTokens = 12 }, Engine = new() { Parallel = 4, ContextPerSequence = 1024 }, Limit = 3,
        });

        Assert.Equal(8, traces.Samples);
        Assert.Equal(2, trained.Training.Step);
        Assert.Equal(2, eval.Report.Models.Count);
        Assert.Equal(3, eval.Predictions.Count(p => p.Model == eval.Report.Models[1].Name && p.Sample == 0));
        Assert.True(File.Exists(Path.Combine(eval.OutputFolder, "report.html")));
    }
}
