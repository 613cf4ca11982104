using LlmDistill.Demo;
using LlmDistill.Tests.Fixtures;

namespace LlmDistill.Tests.Demo;

/// <summary>
/// One run of the miniature demo (a few seconds: every stage at toy size), shared by the demo and pipeline tests:
/// its teacher GGUF (trained by the project, cached in a private folder), its data and prompt files, its summary.
/// </summary>
public sealed class MiniatureDemoFixture : IDisposable
{
    readonly TempDirectory _folder = new();

    public string Output { get; }
    public string Cache { get; }
    public DemoSummary Summary { get; }
    public TimeSpan Wall { get; }
    public string TeacherPath => DemoTeacher.CachedPath(DemoRecipe.Miniature, Cache);
    public string Prompt => Path.Combine(Output, DemoRun.PromptFileName);
    public string Pool => Path.Combine(Output, "data", "pool.jsonl");
    public string HeldOut => Path.Combine(Output, "data", "heldout.jsonl");
    public string Traces => Path.Combine(Output, "traces");
    /// <summary>The distilled student (c)'s checkpoint weights (F32 GGUF), a start for on-policy rounds.</summary>
    public string DistilledCheckpointGguf => Path.Combine(Output, "students", "distilled", "checkpoint", "model.gguf");

    public MiniatureDemoFixture()
    {
        Output = _folder.File("demo");
        Cache = _folder.File("cache");
        var started = DateTime.UtcNow;
        Summary = DemoRun.Run(new DemoSettings { OutputFolder = Output, Recipe = DemoRecipe.Miniature, CacheFolder = Cache });
        Wall = DateTime.UtcNow - started;
    }

    public void Dispose() => _folder.Dispose();
}

// Alone, like TorchRandomCollection: these tests train and seed torch's one global generator, so a test running beside
// them (on-policy resume compares rng.bin byte for byte) would draw from it in between.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MiniatureDemoCollection : ICollectionFixture<MiniatureDemoFixture>
{
    public const string Name = "miniature demo";
}
