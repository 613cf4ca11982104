using System.ComponentModel;
using System.Net;
using LlmDistill.Options;
using LlmDistill.Teacher;

namespace LlmDistill.Serving;

/// <summary>Settings of `llmdistill serve`: an OpenAI-compatible HTTP server over one GGUF model (<see cref="OpenAiServer"/>).</summary>
public sealed record ServeSettings : IValidatedOptions
{
    [OptionName("model", "-m"), PathOption, Description("GGUF model to serve (a teacher, or an exported student).")]
    public required string ModelPath { get; init; }

    [OptionName("adapter"), PathOption, Description("A LoRA adapter GGUF applied on the model (its base) for every request.")]
    public string? AdapterPath { get; init; }

    [Description("The model id clients name in requests and /v1/models lists (default: the file name without .gguf).")]
    public string? ModelName { get; init; }

    [Description("Address to listen on: 127.0.0.1 serves this machine only; 0.0.0.0 every interface.")]
    public string Host { get; init; } = "127.0.0.1";

    [Description("TCP port (0 = any free port, printed at start).")]
    public int Port { get; init; } = 8080;

    /// <summary>16 sequences at once by default: a server's callers arrive together.</summary>
    public EngineOptions Engine { get; init; } = new() { Parallel = 16 };

    [Description("Reuse the KV cells of a prompt prefix another request decoded (a few-shot prompt, a chat history) instead of decoding it again; " +
                 "false decodes every prompt whole.")]
    public bool PromptCache { get; init; } = true;

    [Description("Requests that may wait for a free sequence; more are answered 429 at once.")]
    public int QueueLimit { get; init; } = 64;

    [Description("Largest request body in bytes; larger ones are answered 413.")]
    public long MaxRequestBytes { get; init; } = 1 << 20;

    [Description("Require 'Authorization: Bearer KEY' on /v1/* (compared in constant time). Default: no key.")]
    public string? ApiKey { get; init; }

    [Description("Seconds shutdown waits for requests in flight to finish.")]
    public int ShutdownSeconds { get; init; } = 30;

    /// <inheritdoc/>
    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            OptionChecks.FileExists(nameof(ModelPath), ModelPath),
            OptionChecks.FileExists(nameof(AdapterPath), AdapterPath),
            IPAddress.TryParse(Host, out _) || Host == "localhost" ? null : new OptionError(nameof(Host), $"must be an IP address or localhost, not '{Host}'"),
            OptionChecks.Within(nameof(Port), Port, 0, 65535),
            OptionChecks.AtLeast(nameof(QueueLimit), QueueLimit, 1),
            OptionChecks.AtLeast(nameof(MaxRequestBytes), MaxRequestBytes, 1024),
            OptionChecks.AtLeast(nameof(ShutdownSeconds), ShutdownSeconds, 0),
            ApiKey is { Length: 0 } ? new OptionError(nameof(ApiKey), "must not be empty") : null,
        ],
        (nameof(Engine), Engine));
}
