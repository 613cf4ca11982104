using System.CommandLine;
using System.Text.Json;
using LlmDistill.Models;
using LlmDistill.Native;
using LlmDistill.Teacher;
using LlmDistill.Traces;
using Spectre.Console;

namespace LlmDistill.Cli.Commands;

/// <summary>`llmdistill inspect FILE.gguf [--json]`: what a model file holds, without loading it in llama.cpp.</summary>
static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string?>("path") { Description = "A GGUF model file, or a traces folder / part file written by generate.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables." };
        var runtime = new Option<bool>("--runtime") { Description = "Show the llama.cpp build in use: LLamaSharp's variant (avx512, avx2, cuda12, custom), its file, commit and devices." };
        var command = new Command("inspect", "Show a GGUF file's architecture, size, tokenizer, quantization and every metadata key;\n" +
                                             "or a traces folder's schema, provenance, counts, accuracy and a sample trace;\n" +
                                             "or, with --runtime, which llama.cpp build this process loads.\n" +
                                             "Examples: llmdistill inspect qwen2.5-7b-instruct-q4_k_m.gguf --json    llmdistill inspect traces/gsm8k    llmdistill inspect --runtime") { file, json, runtime };
        command.SetAction(parsed =>
        {
            var output = parsed.InvocationConfiguration.Output;
            bool asJson = parsed.GetValue(json);
            if (parsed.GetValue(runtime))
            {
                var runtimeSummary = RuntimeSummary.Load();
                if (asJson) output.WriteLine(JsonSerializer.Serialize(runtimeSummary, CliJson.Options));
                else RenderRuntime(runtimeSummary, ConsoleOutput.For(output));
                return 0;
            }
            string path = Path.GetFullPath(parsed.GetValue(file)
                ?? throw new ArgumentException("inspect needs a path (a GGUF file or a traces folder), or --runtime."));
            if (Directory.Exists(path) || path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
            {
                var traces = TraceSummary.Read(path);
                if (asJson) output.WriteLine(JsonSerializer.Serialize(traces with { Sample = null }, CliJson.Options));
                else RenderTraces(traces, ConsoleOutput.For(output));
                return 0;
            }
            if (!File.Exists(path)) throw new FileNotFoundException($"file not found: {path}", path);
            var summary = ModelFileSummary.Read(path);
            if (asJson) output.WriteLine(JsonSerializer.Serialize(summary, CliJson.Options));
            else Render(summary, ConsoleOutput.For(output));
            return 0;
        });
        return command;
    }

    static void RenderRuntime(RuntimeSummary s, IAnsiConsole console)
    {
        var facts = new Table().Border(TableBorder.Rounded).AddColumn("llama.cpp runtime").AddColumn("value");
        void Row(string name, object? value) => facts.AddRow(Markup.Escape(name), Markup.Escape(value?.ToString() ?? "-"));
        Row("binding", s.Binding);
        Row("variant", s.Variant);
        Row("library", s.LibraryPath);
        Row("llama.cpp commit", s.ExpectedCommit ? s.GgmlCommit : $"{s.GgmlCommit} (expected {LlamaLibrary.ExpectedCommit})");
        Row("ggml version", s.GgmlVersion);
        foreach (var d in s.Devices) Row("device", $"{d.Name}: {d.Description} ({d.Type})");
        Row("GPU offload", s.GpuOffload ? "supported" : "no");
        Row("system info", s.SystemInfo);
        console.Write(facts);
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

    static void RenderTraces(TraceSummary s, IAnsiConsole console)
    {
        var facts = new Table().Border(TableBorder.Rounded).AddColumn("traces").AddColumn("value").Title(Markup.Escape(s.Path));
        void Row(string name, object? value) => facts.AddRow(Markup.Escape(name), Markup.Escape(value?.ToString() ?? "-"));
        Row("part files", s.Stats.Files);
        Row("questions / traces", $"{s.Questions} / {s.Stats.Rows}");
        Row("completion tokens", $"{s.Stats.CompletionTokens:N0}");
        Row("teacher accuracy", s.Accuracy is double a ? $"{a:P1}" : "no gold answers");
        Row("majority-vote accuracy", s.MajorityAccuracy is double m ? $"{m:P1}" : "no gold answers");
        Row("kept for training", s.Kept);
        Row("finish reasons", string.Join(", ", s.FinishReasons.Select(f => $"{f.Key} {f.Value}")));
        Row("stored bytes per token", $"{s.Stats.BytesPerToken:F1}");
        if (s.Provenance is { } p)
        {
            Row("teacher", $"{p.TeacherFileName} ({p.Architecture}, {p.Quantization}, sha256 {p.TeacherSha256[..12]}…)");
            Row("tokenizer fingerprint", p.TokenizerFingerprint[..16] + "…");
            Row("sampling", $"temperature {p.Temperature}, top-p {p.TopP}, top-k {p.TopKSampling}, seed {p.Seed}, {p.Samples} per question");
            Row("captured top-k", p.CaptureTopK);
            Row("prompt template", $"{p.PromptTemplateName} (sha256 {p.PromptTemplateSha256[..12]}…)");
            Row("schema / tool", $"v{p.SchemaVersion} / {p.ToolVersion}");
        }
        if (!s.ProvenanceAgrees) Row("warning", "part files disagree on provenance");
        console.Write(facts);
        console.MarkupLine("[grey]columns:[/] " + Markup.Escape(string.Join(", ", s.Columns)));
        if (s.Sample is { } r)
        {
            console.MarkupLine($"[bold]sample trace[/] {Markup.Escape(r.Key)} ({r.FinishReason.ToName()}, answer {Markup.Escape(r.Answer ?? "none")}, correct {Markup.Escape(r.Correct?.ToString() ?? "n/a")})");
            console.WriteLine("Q: " + r.Question);
            console.WriteLine("A: " + r.CompletionText);
            var tokens = new Table().Border(TableBorder.Simple).AddColumn("#").AddColumn("id").AddColumn("logprob").AddColumn("tail").AddColumn("top ids (logprob)");
            for (int i = 0; i < Math.Min(8, r.CompletionTokenIds.Length); i++)
            {
                var top = Enumerable.Range(i * r.TopK, Math.Min(3, r.TopK)).Select(j => $"{r.TopIds[j]} ({r.TopLogprobs[j]:F2})");
                tokens.AddRow($"{i}", $"{r.CompletionTokenIds[i]}", $"{r.SampledLogprobs[i]:F3}", $"{r.TailMass[i]:F3}", Markup.Escape(string.Join("  ", top)));
            }
            console.Write(tokens);
        }
    }
}
