using LlmDistill.Native;
using Microsoft.Extensions.Logging;

namespace LlmDistill.Cli;

/// <summary>
/// Where llama.cpp's log goes: nowhere by default (its errors are quoted in the exceptions that report them);
/// <c>LLMDISTILL_LOG=information</c> (or debug, warning, error) writes it to stderr from that level up, including which
/// llama.cpp build was loaded.
/// </summary>
static class CliLogging
{
    public const string EnvironmentVariable = "LLMDISTILL_LOG";

    /// <summary>Installs a stderr logger when the variable names a level; throws ArgumentException for a bad value.</summary>
    public static void Configure()
    {
        string? value = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value) || value.Equals("none", StringComparison.OrdinalIgnoreCase))
            return;
        if (!Enum.TryParse(value, ignoreCase: true, out LogLevel level) || level == LogLevel.None)
            throw new ArgumentException(
                $"{EnvironmentVariable} must be one of trace, debug, information, warning, error, critical or none, not '{value}'.");
        var factory = LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
            // Logs belong on stderr, away from command output (the console provider writes to stdout by default).
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        LlamaBackend.SetLogger(factory.CreateLogger("llama.cpp"));
    }
}
