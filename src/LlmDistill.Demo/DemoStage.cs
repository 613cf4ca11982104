namespace LlmDistill.Demo;

/// <summary>The demo's stages, in the order they run (the names its progress reports carry).</summary>
public static class DemoStage
{
    public const string Data = "data", Teacher = "teacher", Generate = "generate", Baseline = "baseline", Rationale = "rationale",
        Distilled = "distilled", OnPolicy = "onpolicy", Continued = "continued", Evaluate = "evaluate";
}
