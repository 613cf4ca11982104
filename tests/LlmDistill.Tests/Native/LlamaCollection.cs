namespace LlmDistill.Tests.Native;

/// <summary>Tests that touch llama.cpp's process-wide state (backend, log callback) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LlamaCollection
{
    public const string Name = "llama.cpp native";
}
