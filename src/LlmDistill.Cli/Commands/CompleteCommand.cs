using System.CommandLine;
using System.Text;
using System.Text.Json;
using LlmDistill.Teacher;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill complete --model M --prompt P`: one completion with the teacher's top-k log-probabilities per token.</summary>
static class CompleteCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object: text, finish_reason and per token id, text, logprob, tail_mass and top [{id, logprob}]." };
        var command = new Command("complete", "Complete one prompt with a GGUF model and show the teacher's top-k log-probabilities for every generated token.\n" +
                                              "Example: llmdistill complete -m teacher.gguf -p \"What is 17 * 23?\" --max-tokens 64 --json")
            { json };
        var options = new CommandOptions<PromptCompletionSettings>(command);

        command.SetAction(parsed =>
        {
            var settings = options.Bind(parsed);
            using var teacher = GgufModel.Load(settings.ModelPath, new GgufModelOptions { AdapterPath = settings.AdapterPath });
            var (completion, _) = PromptCompletion.Run(teacher, settings);
            var output = parsed.InvocationConfiguration.Output;
            if (parsed.GetValue(json)) output.WriteLine(JsonSerializer.Serialize(ToJson(teacher, completion), CliJson.Options));
            else Render(teacher, completion, ConsoleOutput.For(output));
            return completion.FinishReason == FinishReason.Error ? CliErrors.BadInput : 0;
        });
        return command;
    }

    static string Piece(GgufModel teacher, int id) => Encoding.UTF8.GetString(teacher.Vocab.TokenToPiece(id, special: true));

    static object ToJson(GgufModel teacher, Completion c) => new
    {
        text = c.Text,
        finish_reason = c.FinishReason.ToName(),
        error = c.Error,
        prompt_tokens = c.PromptTokenCount,
        tokens = Enumerable.Range(0, c.TokenIds.Length).Select(i => new
        {
            id = c.TokenIds[i],
            text = Piece(teacher, c.TokenIds[i]),
            logprob = c.SampledLogprobs[i],
            tail_mass = c.TailMass[i],
            top = Enumerable.Range(i * c.TopK, c.TopK).Select(j => new { id = c.TopIds[j], logprob = c.TopLogprobs[j] }),
        }),
    };

    static void Render(GgufModel teacher, Completion c, IAnsiConsole console)
    {
        if (c.FinishReason == FinishReason.Error) { console.MarkupLine($"[red]error:[/] {Markup.Escape(c.Error ?? "")}"); return; }
        console.WriteLine(c.Text);
        console.MarkupLine($"[grey]finish: {c.FinishReason.ToName()}, {c.PromptTokenCount} prompt tokens, {c.TokenIds.Length} generated[/]");
        var table = new Table().Border(TableBorder.Simple).AddColumn("#").AddColumn("token").AddColumn("logprob").AddColumn("tail").AddColumn("top alternatives");
        for (int i = 0; i < c.TokenIds.Length; i++)
        {
            var top = Enumerable.Range(i * c.TopK, Math.Min(c.TopK, 3)).Select(j => $"{Piece(teacher, c.TopIds[j])}:{c.TopLogprobs[j]:F2}");
            table.AddRow($"{i}", Markup.Escape(Piece(teacher, c.TokenIds[i])), $"{c.SampledLogprobs[i]:F3}", $"{c.TailMass[i]:F3}", Markup.Escape(string.Join("  ", top)));
        }
        console.Write(table);
    }
}
