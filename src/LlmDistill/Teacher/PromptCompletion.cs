namespace LlmDistill.Teacher;

/// <summary>Settings of a single completion (`llmdistill complete`).</summary>
public sealed record PromptCompletionSettings
{
    public int MaxTokens { get; init; } = 128;
    public int TopK { get; init; } = 5;
    public SamplingSettings Sampling { get; init; } = SamplingSettings.Greedy;
    /// <summary>Send the prompt as is, without the model's chat template.</summary>
    public bool Raw { get; init; }
    public string? System { get; init; }
    public IReadOnlyList<string> StopStrings { get; init; } = [];
    public int Threads { get; init; }
}

/// <summary>One prompt through the same batched generator that `generate` uses, so what you try is what you get.</summary>
public static class PromptCompletion
{
    public static (Completion Completion, string RenderedPrompt) Run(GgufModel teacher, string prompt, PromptCompletionSettings settings)
    {
        string rendered = teacher.RenderPrompt(prompt, settings.System, settings.Raw);
        int[] tokens = teacher.Tokenize(rendered);
        using var generator = new BatchedGenerator(teacher, new GeneratorOptions
        {
            Parallel = 1,
            ContextPerSequence = Math.Min(Math.Max(tokens.Length + settings.MaxTokens + 1, 256), Math.Max(teacher.Model.TrainContextLength, 256)),
            TopK = Math.Min(settings.TopK, teacher.VocabSize),
            Threads = settings.Threads,
        });
        var request = new GenerationRequest(0, tokens, settings.Sampling, settings.MaxTokens, settings.StopStrings);
        return (generator.Generate([request]).Single(), rendered);
    }
}
