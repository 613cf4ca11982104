using System.CommandLine;
using System.Text.Json;
using LlmDistill.Models;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill inspect FILE.gguf [--json]`: what a model file holds, without loading it in llama.cpp.</summary>
static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "A GGUF model file (teacher or exported student)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var command = new Command("inspect", "Show a GGUF file's architecture, size, tokenizer, quantization and every metadata key.\n" +
                                             "Example: llmdistill inspect qwen2.5-7b-instruct-q4_k_m.gguf --json") { file, json };
        command.SetAction(parsed =>
        {
            var summary = ModelFileSummary.Read(parsed.GetRequiredValue(file).FullName);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else Render(summary, ConsoleOutput.For(output));
            return 0;
        });
        return command;
    }

    static void Render(ModelFileSummary s, IAnsiConsole console)
    {
        var facts = new Table().Border(TableBorder.Rounded).AddColumn("field").AddColumn("value").Title(Markup.Escape(Path.GetFileName(s.Path)));
        void Row(string name, object? value) => facts.AddRow(Markup.Escape(name), Markup.Escape(value?.ToString() ?? "-"));
        Row("architecture", s.Architecture);
        Row("name", s.Name);
        Row("parameters", $"{s.ParameterCount:N0} ({s.ParameterCount / 1e6:F1} M)");
        Row("tensors", s.TensorCount);
        Row("file size", $"{s.FileBytes:N0} bytes");
        Row("quantization", s.Quantization);
        Row("tensor types", string.Join(", ", s.TensorTypes.Select(t => $"{t.Key}: {t.Value:N0}")));
        Row("vocabulary size", s.VocabularySize);
        Row("tokenizer", s.TokenizerModel is null ? null : $"{s.TokenizerModel} (pre: {s.TokenizerPre ?? "-"})");
        Row("context length", s.ContextLength);
        Row("chat template", s.HasChatTemplate ? "yes" : "no");
        Row("GGUF version", s.GgufVersion);
        console.Write(facts);

        var metadata = new Table().Border(TableBorder.Simple).AddColumn("metadata key").AddColumn("value");
        foreach (var (key, value) in s.Metadata) metadata.AddRow(Markup.Escape(key), Markup.Escape(value));
        console.Write(metadata);
    }
}
