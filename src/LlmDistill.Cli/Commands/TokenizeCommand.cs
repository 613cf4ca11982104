using System.CommandLine;
using System.Text.Json;
using LlmDistill.Tokenization;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill tokenize`: the rebuilt tokenizer's ids for a text or a file of strings, optionally against llama.cpp's.</summary>
static class TokenizeCommand
{
    public static Command Create()
    {
        var command = new Command("tokenize",
            "Token ids of a text (or of each JSON string line of a file) from the managed tokenizer rebuilt from a GGUF or tokenizer.json; " +
            "with --compare, also from llama.cpp's tokenizer on the GGUF, reporting the first difference (exit code 1 if any).\n" +
            "Examples: llmdistill tokenize -m teacher.gguf --text \"Hello world\" --compare    llmdistill tokenize -m tokenizer.json -f strings.jsonl");
        var options = new CommandOptions<TokenizeSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            var output = parsed.InvocationConfiguration.Output;
            using var run = TokenizeRun.Open(settings);
            if (settings.Text is not null)
            {
                var result = run.Run().Single();
                if (settings.Json) output.WriteLine(JsonSerializer.Serialize(result, CliJson.Options));
                else Render(result, ConsoleOutput.For(output));
                return result.FirstDifference is null ? 0 : CliErrors.Failure;
            }
            int lines = 0;
            (int Line, TokenizedText Text)? first = null;
            foreach (var result in run.Run())
            {
                lines++;
                output.WriteLine(JsonSerializer.Serialize(result.Ids));
                if (first is null && result.FirstDifference is not null) first = (lines, result);
            }
            if (settings.Compare)
            {
                if (first is { } d)
                    parsed.InvocationConfiguration.Error.WriteLine(
                        $"llama.cpp differs first on line {d.Line} at token {d.Text.FirstDifference}: llama.cpp [{string.Join(' ', d.Text.LlamaCppIds!)}], managed [{string.Join(' ', d.Text.Ids)}]");
                else parsed.InvocationConfiguration.Error.WriteLine($"llama.cpp gives the same ids on all {lines} lines");
            }
            return first is null ? 0 : CliErrors.Failure;
        });
        return command;
    }

    static void Render(TokenizedText t, IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("#").AddColumn("id").AddColumn("piece");
        if (t.LlamaCppIds is not null) table.AddColumn("llama.cpp");
        for (int i = 0; i < Math.Max(t.Ids.Length, t.LlamaCppIds?.Length ?? 0); i++)
        {
            var cells = new List<string> { $"{i}", i < t.Ids.Length ? $"{t.Ids[i]}" : "", i < t.Ids.Length ? JsonSerializer.Serialize(t.Pieces[i], CliJson.Compact) : "" };
            if (t.LlamaCppIds is { } reference) cells.Add(i < reference.Length ? $"{reference[i]}" + (i < t.Ids.Length && reference[i] == t.Ids[i] ? "" : " ≠") : "");
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
        console.MarkupLine(Markup.Escape($"{t.Ids.Length} tokens") + (t.LlamaCppIds is null ? ""
            : t.FirstDifference is int at ? Markup.Escape($"; llama.cpp differs first at token {at}") : "; llama.cpp gives the same ids"));
    }
}
