using System.Text.Json.Nodes;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

public class TestStudentCheckpoint
{
    public TestStudentCheckpoint() => TorchRuntime.EnsureLoadable();

    static Dictionary<string, float[]> Values(StudentModel model) =>
        model.GgufParameters().ToDictionary(p => p.Key, p => p.Value.detach().data<float>().ToArray());

    [Fact]
    public void Load_returns_the_saved_config_vocabulary_weights_and_extra_json()
    {
        using var dir = new TempDirectory();
        var vocabulary = SmallByteLevelVocabulary.Create();
        random.manual_seed(3);
        using var model = new StudentModel(LlamaModelConfig.TinyQwen2(vocabulary.Count));
        string folder = dir.File("step-100");
        StudentCheckpoint.Save(folder, model, vocabulary, new JsonObject { ["step"] = 100, ["loss"] = 2.5 });

        var checkpoint = StudentCheckpoint.Load(folder);
        using var loaded = checkpoint.Model;
        Assert.Equal(model.Config, checkpoint.Config);
        Assert.Equal(vocabulary, checkpoint.Vocabulary);
        Assert.Equal(100, (int)checkpoint.Extra["step"]!);
        Assert.Equal(2.5, (double)checkpoint.Extra["loss"]!);
        var expected = Values(model);
        foreach (var (name, values) in Values(loaded)) Assert.Equal(expected[name], values);
    }

    [Fact]
    public void Saving_over_a_checkpoint_replaces_it_and_leaves_no_temporary_folders()
    {
        using var dir = new TempDirectory();
        var vocabulary = SmallByteLevelVocabulary.Create();
        using var first = new StudentModel(LlamaModelConfig.TinyLlama(vocabulary.Count));
        using var second = new StudentModel(LlamaModelConfig.TinyLlama(vocabulary.Count) with { BlockCount = 1 });
        string folder = dir.File("latest");
        StudentCheckpoint.Save(folder, first, vocabulary);
        StudentCheckpoint.Save(folder, second, vocabulary);

        var checkpoint = StudentCheckpoint.Load(folder);
        using var _ = checkpoint.Model;
        Assert.Equal(1, checkpoint.Config.BlockCount);
        Assert.Equal(["latest"], Directory.GetDirectories(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void Loading_a_folder_that_is_not_a_checkpoint_says_so()
    {
        using var dir = new TempDirectory();
        var error = Assert.Throws<FileNotFoundException>(() => StudentCheckpoint.Load(dir.Path));
        Assert.Contains("not a student checkpoint", error.Message);
    }
}
