namespace LlmDistill.Demo;

/// <summary>The demo's stages, in the order they run.</summary>
public enum DemoStage { Data, Teacher, Generate, Baseline, Rationale, Distilled, Export, Evaluate, Done }

/// <summary>Where the demo is: a stage, what it is doing, and how far along (<paramref name="Done"/> of <paramref name="Total"/>).</summary>
public sealed record DemoProgress(DemoStage Stage, string Detail, double Done, double Total);
