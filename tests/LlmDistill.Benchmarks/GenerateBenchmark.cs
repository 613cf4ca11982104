using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LlmDistill.Generation;

namespace LlmDistill.Benchmarks;

/// <summary>
/// The generate stage end to end (dataset → prompts → teacher → Parquet) on the Qwen2.5-0.5B-shaped Q8_0 model:
/// questions share a 256-token few-shot prefix (with or without the chat template), 64 generated tokens each, top-20
/// capture, 16 in parallel.
/// Compare with `llama-batched-bench -npp 256 -ntg 64 -npl 16 -pps` (shared prompt decoded once).
/// Then 10× the questions, to show stored bytes per token and that memory does not grow with the data set.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --generate-stage [--questions 16] [--scale 10] [--short-questions] [--raw]
/// </summary>
static class GenerateBenchmark
{
    public static int Run(string[] args)
    {
        int questions = Program.IntArg(args, "--questions", 16), scale = Program.IntArg(args, "--scale", 10);
        // --short-questions: "Problem 7?" instead of a word problem, so nearly every prompt token is the shared prefix,
        // as in llama-batched-bench -pps (which has no per-sequence prompt tokens at all).
        bool shortQuestions = args.Contains("--short-questions");
        // --raw: no chat template around the prompt (generate --raw), as llama-batched-bench feeds bare tokens.
        bool raw = args.Contains("--raw");
        string model = Program.StringArg(args, "--model") ?? BenchmarkModel.EnsureQwen05BShape();
        string work = Directory.CreateTempSubdirectory("llmdistill-generate-bench-").FullName;
        try
        {
            string prompt = WritePrompt(work, raw);
            Console.WriteLine($"model {Path.GetFileName(model)}, {Environment.ProcessorCount} cores; shared few-shot prefix, 64 generated tokens, top-20, 16 parallel");
            Console.WriteLine("| questions | shared prefix tokens | prompt tokens decoded | decode loop s | in llama_decode s | generation wall s | command wall s | generated tokens | stored bytes/token | max logprob error | peak working set MB |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (int count in new[] { questions, questions * scale })
            {
                string data = WriteQuestions(work, count, shortQuestions);
                var summary = GenerateRun.Run(new GenerateSettings
                {
                    TeacherPath = model, DataPath = data, OutputFolder = Path.Combine(work, $"traces-{count}"), Prompt = new() { Template = prompt, Raw = raw },
                    Capture = new() { TopK = 20 }, Sampling = new() { MaxTokens = 64 }, Engine = new() { Parallel = 16, ContextPerSequence = 512 }, Force = true,
                });
                int prefix = PrefixTokens(model, prompt, raw);
                Console.WriteLine($"| {count} | {prefix} | {summary.PromptTokens} | {summary.DecodeWall.TotalSeconds:F2} | {summary.LlamaDecode.TotalSeconds:F2} | {summary.GenerationWall.TotalSeconds:F2} | {summary.Wall.TotalSeconds:F2} | {summary.GeneratedTokens} | " +
                                  $"{summary.BytesPerToken:F1} | {summary.MaxLogprobError:F4} | {Process.GetCurrentProcess().PeakWorkingSet64 / 1e6:F0} |");
            }
            return 0;
        }
        finally { Directory.Delete(work, recursive: true); }
    }

    static int PrefixTokens(string model, string prompt, bool raw)
    {
        using var teacher = Teacher.GgufModel.Load(model);
        return new TeacherPrompts(teacher, Generation.Prompts.PromptTemplate.Load(prompt), raw).SharedPrefix().Length;
    }

    /// <summary>
    /// A chain-of-thought template whose system text and few-shot examples come to exactly 256 tokens (the shared
    /// prefix) with Qwen's chat template, and, with one more sentence of system text, without it (--raw).
    /// </summary>
    internal static string WritePrompt(string folder, bool raw)
    {
        string path = Path.Combine(folder, "bench-cot.yaml");
        File.WriteAllText(path, """
            name: bench-cot
            description: Benchmark template with a long shared few-shot prefix.
            template_format: semantic-kernel
            system: You are a tutor. Solve each problem step by step, give the answer as '#### <number>'.RAW_EXTRA
            template: |-
              {{$examples}}

              Question: {{$question}}
              Answer:
            example_template: "Question: {{$question}}\nAnswer: {{$answer}}"
            example_separator: "\n\n"
            few_shot:
              - question: A farmer has 12 cows and buys 7 more. Then 4 are sold. How many cows does the farmer have now?
                answer: "The farmer starts with 12 cows. Buying 7 more gives 12 + 7 = 19 cows. Selling 4 leaves 19 - 4 = 15 cows.\n#### 15"
              - question: Maria reads 15 pages a day. Her book has 180 pages. How many days will she need?
                answer: "Each day she reads 15 pages. The book has 180 pages, so she needs 180 / 15 = 12 days.\n#### 12"
              - question: A shop sells pencils in boxes of 8. A school orders 9 boxes and then gives away 30 pencils to students. How many pencils are left?
                answer: "9 boxes of 8 make 9 * 8 = 72 pencils. Giving away 30 leaves 72 - 30 = 42.\n#### 42"
            stop: []
            """.Replace("            ", "").Replace("RAW_EXTRA", raw ? " Keep each step short and very clear." : ""));
        return path;
    }

    internal static string WriteQuestions(string folder, int count, bool shortQuestions)
    {
        string path = Path.Combine(folder, $"questions-{count}.jsonl");
        var lines = Enumerable.Range(0, count).Select(i => JsonSerializer.Serialize(new
        {
            id = $"q{i}", question = shortQuestions ? $"Problem {i}?" : $"Tom has {10 + i} marbles and wins {3 + i % 7} more, then gives {2 + i % 5} to his sister. How many marbles does he have?",
            answer = $"{10 + i + 3 + i % 7 - (2 + i % 5)}",
        }));
        File.WriteAllLines(path, lines, new UTF8Encoding(false));
        return path;
    }
}
