namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Tests that need torch's process-wide random generator to themselves (bit-exact resume compares two runs that
/// each seed and draw from it): they run alone, after the parallel tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TorchRandomCollection
{
    public const string Name = "torch global random generator";
}
