using LlmDistill.Gguf;
using LlmDistill.Options;

namespace LlmDistill.Cli;

/// <summary>Turns the exceptions a user can cause (bad file, missing file, bad option) into one sentence and an exit code.</summary>
static class CliErrors
{
    public const int BadInput = 2;
    public const int Cancelled = 130;
    public const int Failure = 1;

    public static string? Describe(Exception e) => e switch
    {
        OptionsException options => Flags(options),
        GgufFormatException => e.Message,
        LlmDistill.Native.LlamaException => e.Message,
        FileNotFoundException f => f.FileName is null ? f.Message : $"file not found: {f.FileName}",
        DirectoryNotFoundException => e.Message,
        OperationCanceledException => "cancelled",
        ArgumentException or InvalidOperationException or InvalidDataException or FormatException or IOException or UnauthorizedAccessException
            or NotSupportedException => e.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    /// <summary>
    /// The one place library property names become flags: each error's property path is looked up among the options
    /// of the settings record that failed (<c>Sampling.TopP</c> → <c>--top-p</c>); a path no option reads is written in kebab case.
    /// </summary>
    static string Flags(OptionsException e)
    {
        var fields = OptionField.Of(e.Settings);
        string Flag(string path) => OptionNames.Flag(OptionField.NameOf(fields, path));
        return string.Join("; ", e.Errors.Select(error => error.Render(Flag))) + ".";
    }

    public static int ExitCode(Exception e) => e switch
    {
        OperationCanceledException => Cancelled,
        GgufFormatException or FileNotFoundException or DirectoryNotFoundException or ArgumentException or InvalidDataException or FormatException
            or NotSupportedException => BadInput,
        _ => Failure,
    };
}
