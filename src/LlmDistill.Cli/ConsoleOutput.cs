using Spectre.Console;

namespace LlmDistill.Cli;

/// <summary>A Spectre console over the invocation's writer, so tests capture exactly what a user sees.</summary>
static class ConsoleOutput
{
    public static IAnsiConsole For(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = writer == Console.Out && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = writer == Console.Out && !Console.IsOutputRedirected ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = writer == Console.Out && !Console.IsOutputRedirected ? InteractionSupport.Detect : InteractionSupport.No,
    });
}
