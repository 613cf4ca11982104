using System.Diagnostics;
using LlmDistill.Cli;

namespace LlmDistill.Tests.Fixtures;

/// <summary>Runs the `llmdistill` command line in-process with its output captured (<c>using static</c> it as <c>Run</c>), or as a child process.</summary>
public static class CliRun
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = LlmDistillCli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Starts the built CLI (llmdistill.dll beside the tests) in a child process, stdout and stderr redirected.</summary>
    public static Process Start(params string[] args)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "llmdistill.dll");
        var start = new ProcessStartInfo("dotnet", ["exec", cli, .. args]) { RedirectStandardOutput = true, RedirectStandardError = true };
        return Process.Start(start)!;
    }
}
