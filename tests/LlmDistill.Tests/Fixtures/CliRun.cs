using LlmDistill.Cli;

namespace LlmDistill.Tests.Fixtures;

/// <summary>Runs the `llmdistill` command line in-process with its output captured (<c>using static</c> it as <c>Run</c>).</summary>
public static class CliRun
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LlmDistillCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
