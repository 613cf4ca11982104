using System.ComponentModel;
using LlmDistill.Options;

namespace LlmDistill.Teacher;

/// <summary>A teacher served elsewhere (vLLM, SGLang, llama.cpp's server, Ollama, `llmdistill serve`) over the OpenAI API.</summary>
[OptionGroup]
public sealed record RemoteTeacherOptions : IValidatedOptions
{
    [OptionName("teacher-url"), Description("OpenAI-compatible base URL of a server running the teacher, e.g. http://gpu1:8000/v1 (repeatable: requests are spread over all). The teacher GGUF option then names the tokenizer (the same GGUF, loaded without weights).")]
    public IReadOnlyList<string> Urls { get; init; } = [];

    [OptionName("teacher-model"), Description("The model id to request (default: the first one the first server lists at /v1/models).")]
    public string? Model { get; init; }

    [Description("Environment variable holding the servers' API key (sent as Bearer; never stored in traces).")]
    public string? ApiKeyEnv { get; init; }

    [OptionName("requests-per-server"), Description("Requests in flight per server (default: the engine's parallel sequences).")]
    public int? Concurrency { get; init; }

    [Description("Attempts per request on 429, 5xx and time-outs, with exponential backoff.")]
    public int Retries { get; init; } = 5;

    [Description("Seconds one request may take.")]
    public int TimeoutSeconds { get; init; } = 600;

    /// <summary>True when a remote teacher is configured.</summary>
    public bool Enabled => Urls.Count > 0;

    /// <inheritdoc/>
    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
    [
        .. Urls.Select(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? null
            : new OptionError(nameof(Urls), $"must be http(s) URLs, not '{u}'")),
        Concurrency is int c ? OptionChecks.AtLeast(nameof(Concurrency), c, 1) : null,
        OptionChecks.AtLeast(nameof(Retries), Retries, 1),
        OptionChecks.AtLeast(nameof(TimeoutSeconds), TimeoutSeconds, 1),
        ApiKeyEnv is { } v && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)) ? new OptionError(nameof(ApiKeyEnv), $"names {v}, which is not set") : null,
    ]);
}
