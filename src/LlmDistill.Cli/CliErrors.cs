using LlmDistill.Gguf;

namespace LlmDistill.Cli;

/// <summary>Turns the exceptions a user can cause (bad file, missing file, bad option) into one sentence and an exit code.</summary>
static class CliErrors
{
    public const int BadInput = 2;
    public const int Cancelled = 130;
    public const int Failure = 1;

    public static string? Describe(Exception e) => e switch
    {
        GgufFormatException => e.Message,
        FileNotFoundException f => f.FileName is null ? f.Message : $"file not found: {f.FileName}",
        DirectoryNotFoundException => e.Message,
        OperationCanceledException => "cancelled",
        ArgumentException or InvalidOperationException or InvalidDataException or FormatException or IOException or UnauthorizedAccessException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    public static int ExitCode(Exception e) => e switch
    {
        OperationCanceledException => Cancelled,
        GgufFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or FormatException => BadInput,
        _ => Failure,
    };
}
