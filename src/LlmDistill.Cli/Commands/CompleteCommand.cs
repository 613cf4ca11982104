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
        var model = new Option<FileInfo>("--model", "-m") { Description = "GGUF model to run (through llama.cpp).", Required = true };
        var prompt = new Option<string>("--prompt", "-p") { Description = "The user message (or the whole prompt with --raw).", Required = true };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens to generate.", DefaultValueFactory = _ => 128 };
        var topK = new Option<int>("--top-k") { Description = "How many most-likely tokens to record per position (also the sampling top-k).", DefaultValueFactory = _ => 5 };
        var temperature = new Option<float>("--temperature") { Description = "Sampling temperature; 0 = greedy.", DefaultValueFactory = _ => 0f };
        var topP = new Option<float>("--top-p") { Description = "Nucleus sampling threshold (1 = off).", DefaultValueFactory = _ => 1f };
        var seed = new Option<long>("--seed") { Description = "Random seed: the same seed gives the same completion.", DefaultValueFactory = _ => 0 };
        var raw = new Option<bool>("--raw") { Description = "Do not apply the model's chat template." };
        var system = new Option<string?>("--system") { Description = "A system message (ignored with --raw)." };
        var stop = new Option<string[]>("--stop") { Description = "Stop when the text contains this string (repeatable).", AllowMultipleArgumentsPerToken = false };
        var threads = new Option<int>("--threads") { Description = "CPU threads (0 = one per core).", DefaultValueFactory = _ => 0 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: text, finish_reason and per token id, text, logprob, tail_mass and top [{id, logprob}]." };
        var command = new Command("complete", "Complete one prompt with a GGUF model and show the teacher's top-k log-probabilities for every generated token.\n" +
                                              "Example: llmdistill complete -m teacher.gguf -p \"What is 17 * 23?\" --max-tokens 64 --json")
            { model, prompt, maxTokens, topK, temperature, topP, seed, raw, system, stop, threads, json };

        command.SetAction(parsed =>
        {
            var settings = new PromptCompletionSettings
            {
                MaxTokens = parsed.GetValue(maxTokens),
                TopK = parsed.GetValue(topK),
                Sampling = new SamplingSettings(parsed.GetValue(temperature), parsed.GetValue(topK), parsed.GetValue(topP), 0f, parsed.GetValue(seed)),
                Raw = parsed.GetValue(raw),
                System = parsed.GetValue(system),
                StopStrings = parsed.GetValue(stop) ?? [],
                Threads = parsed.GetValue(threads),
            };
            if (settings.MaxTokens < 1) throw new ArgumentException($"--max-tokens must be at least 1 (got {settings.MaxTokens})");
            if (settings.TopK < 1) throw new ArgumentException($"--top-k must be at least 1 (got {settings.TopK})");

            using var teacher = GgufModel.Load(parsed.GetRequiredValue(model).FullName);
            var (completion, _) = PromptCompletion.Run(teacher, parsed.GetRequiredValue(prompt), settings);
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
