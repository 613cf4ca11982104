using System.CommandLine;
using LlmDistill.Cli.Commands;

namespace LlmDistill.Cli;

/// <summary>The `llmdistill` command line: each command is a thin action over one library call.</summary>
public static class LlmDistillCli
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand(
            "LlmDistill: chain-of-thought distillation from a local GGUF teacher (llama.cpp) into a small student.\n" +
            "Stages: generate traces -> train a student -> export GGUF -> evaluate. Run `llmdistill <command> --help` for details.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(CompleteCommand.Create());
        root.Subcommands.Add(GenerateCommand.Create());
        root.Subcommands.Add(SynthesizeCommand.Create());
        root.Subcommands.Add(ScoreCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        root.Subcommands.Add(TracesCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    /// <summary>Parses and runs; any failure becomes one sentence on <paramref name="error"/> and a non-zero exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var parsed = BuildRoot().Parse(args);
        var configuration = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        try
        {
            CliLogging.Configure();
            return parsed.Invoke(configuration);
        }
        catch (Exception e) when (CliErrors.Describe(e) is { } message)
        {
            error.WriteLine($"error: {message}");
            return CliErrors.ExitCode(e);
        }
    }
}
