namespace LlmDistill.Generation.Prompts;

/// <summary>A prompt ready for the teacher's chat template: the system message (empty when none) and the user message.</summary>
public sealed record RenderedPrompt(string System, string User);
