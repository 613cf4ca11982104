using System.CommandLine;
using LlmDistill.Training;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill export`: a trained student to a GGUF file for llama.cpp, Ollama or LM Studio.</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint", "-c") { Description = "A run folder from `llmdistill train`, or its checkpoint/ folder.", Required = true };
        var output = new Option<FileInfo>("--out", "-o") { Description = "The GGUF file to write.", Required = true };
        var type = new Option<string>("--type") { Description = $"Matrix type: {string.Join(", ", StudentExport.TypeNames)} (k-quants need widths that are multiples of 256, else llama.cpp falls back per tensor).", DefaultValueFactory = _ => "f16" };
        var name = new Option<string>("--name") { Description = "general.name written into the file.", DefaultValueFactory = _ => "llmdistill-student" };

        var command = new Command("export",
            "Export a trained student as GGUF (F32/F16/BF16/Q8_0 written directly; other types through llama.cpp's quantizer).\n" +
            "Example: llmdistill export --checkpoint runs/s1 --out student-q4_k_m.gguf --type q4_k_m")
        {
            checkpoint, output, type, name,
        };
        command.SetAction(parsed =>
        {
            string path = parsed.GetRequiredValue(output).FullName;
            string folder = StudentExport.Export(parsed.GetRequiredValue(checkpoint).FullName, path, parsed.GetValue(type)!, parsed.GetValue(name)!);
            var console = ConsoleOutput.For(parsed.InvocationConfiguration.Output);
            console.MarkupLine(Markup.Escape($"wrote {path} ({new FileInfo(path).Length / 1e6:F1} MB, {parsed.GetValue(type)}) from {folder}"));
            return 0;
        });
        return command;
    }
}
