using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Teacher;

/// <summary>Settings of a single completion (<see cref="PromptCompletion"/>, `llmdistill complete`).</summary>
public sealed record PromptCompletionSettings : IValidatedOptions
{
    [OptionName("model", "-m"), PathOption, Description("GGUF model to run (through llama.cpp).")]
    public required string ModelPath { get; init; }

    [OptionName("adapter"), PathOption, Description("A LoRA adapter GGUF to apply on the model (its base).")]
    public string? AdapterPath { get; init; }

    [OptionName("prompt", "-p"), Description("The user message (or the whole prompt, with raw).")]
    public required string Prompt { get; init; }

    [Description("A system message (ignored with raw).")]
    public string? System { get; init; }

    [Description("Send the prompt as is, without the model's chat template.")]
    public bool Raw { get; init; }

    [OptionName("stop"), Description("Stop when the text contains this string (repeatable).")]
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>Greedy by default (temperature unset means 0 for one sample), no nucleus cut, short.</summary>
    public SamplingOptions Sampling { get; init; } = new() { TopP = 1f, MaxTokens = 128 };

    public CaptureOptions Capture { get; init; } = new() { TopK = 5 };

    [Description("CPU threads for llama.cpp (0 = one per core).")]
    public int Threads { get; init; }

    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [OptionChecks.FileExists(nameof(ModelPath), ModelPath), OptionChecks.FileExists(nameof(AdapterPath), AdapterPath), OptionChecks.AtLeast(nameof(Threads), Threads, 0)],
        (nameof(Sampling), Sampling), (nameof(Capture), Capture));
}

/// <summary>One prompt through the same batched generator that `generate` uses, so what you try is what you get.</summary>
public static class PromptCompletion
{
    public static (Completion Completion, string RenderedPrompt) Run(GgufModel model, PromptCompletionSettings settings)
    {
        OptionsException.ThrowIfInvalid(settings);
        string rendered = model.RenderPrompt(settings.Prompt, settings.System, settings.Raw);
        int[] tokens = model.Tokenize(rendered);
        int maxTokens = settings.Sampling.MaxTokens;
        using var generator = new BatchedGenerator(model, new GeneratorOptions
        {
            Parallel = 1,
            ContextPerSequence = Math.Min(Math.Max(tokens.Length + maxTokens + 1, 256), Math.Max(model.Model.TrainContextLength, 256)),
            TopK = Math.Min(settings.Capture.TopK, model.VocabSize),
            Threads = settings.Threads,
        });
        var request = new GenerationRequest(0, tokens, settings.Sampling.For(samples: 1), maxTokens, settings.StopStrings);
        return (generator.Generate([request]).Single(), rendered);
    }
}
