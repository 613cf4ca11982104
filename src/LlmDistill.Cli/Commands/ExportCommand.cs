using System.CommandLine;
using LlmDistill.Export;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill export`: a trained student to a GGUF file for llama.cpp, Ollama or LM Studio.</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var command = new Command("export",
            "Export a trained student as GGUF (F32/F16/BF16/Q8_0 written directly; other types through llama.cpp's quantizer; " +
            "k-quants need widths that are multiples of 256, else llama.cpp falls back per tensor).\n" +
            "Example: llmdistill export --checkpoint runs/s1 --out student-q4_k_m.gguf --type q4_k_m");
        var options = new CommandOptions<ExportSettings>(command);
        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            string folder = StudentExport.Export(settings);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            console.MarkupLine(Markup.Escape($"wrote {settings.OutputPath} ({new FileInfo(settings.OutputPath).Length / 1e6:F1} MB, {settings.Type.Name()}) from {folder}"));
            return 0;
        });
        return command;
    }
}
