using System.Diagnostics;
using LlmDistill.Teacher;

namespace LlmDistill.Benchmarks;

/// <summary>
/// Teacher generation throughput: tokens/s for 1, 4, 8, 16 parallel sequences (64 prompt + 64 generated tokens
/// each, one wave, as llama-batched-bench measures), with and without top-20 capture, on a random-weight model
/// with Qwen2.5-0.5B's shapes quantized to Q8_0 by llama_model_quantize. The model is cached between runs.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks [-- --repeats 3 --parallel 1,4,8,16 --prompt 64 --generate 64]
/// Training throughput instead: -- --training [--quick] (see <see cref="TrainingBenchmark"/>).
/// Trace export throughput instead: -- --traces-export (see <see cref="TraceExportBenchmark"/>).
/// Scoring throughput against llama.cpp prompt processing instead: -- --score (see <see cref="ScoreBenchmark"/>).
/// Tokenizer throughput, managed against llama_tokenize, per vocabulary instead: -- --tokenizer (see <see cref="TokenizerBenchmark"/>).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--generate-stage")) return GenerateBenchmark.Run(args);
        if (args.Contains("--training")) return TrainingBenchmark.Run(args);
        if (args.Contains("--traces-export")) return TraceExportBenchmark.Run(args);
        if (args.Contains("--score")) return ScoreBenchmark.Run(args);
        if (args.Contains("--tokenizer")) return TokenizerBenchmark.Run(args);
        if (args.Contains("--serve")) return ServeBenchmark.Run(args);
        if (args.Contains("--lora")) return LoraBenchmark.Run(args);
        int repeats = IntArg(args, "--repeats", 3), prompt = IntArg(args, "--prompt", 64), generate = IntArg(args, "--generate", 64), topK = IntArg(args, "--top-k", 20);
        int[] parallels = (StringArg(args, "--parallel") ?? "1,4,8,16").Split(',').Select(int.Parse).ToArray();
        // --shared-prefix N: every prompt starts with the same N tokens, decoded once (as llama-batched-bench -pps).
        int sharedLength = IntArg(args, "--shared-prefix", 0);
        // --f16: the same model unquantized (kernels that do not depend on the build's int8 instructions).
        string model = StringArg(args, "--model") ?? BenchmarkModel.EnsureQwen05BShape(f16: args.Contains("--f16"));
        Console.WriteLine($"model {model} ({new FileInfo(model).Length / 1e6:F0} MB), {Environment.ProcessorCount} cores, {prompt} prompt + {generate} generated tokens per sequence, median of {repeats}");

        using var teacher = GgufModel.Load(model);
        var random = new Random(1234);
        // --phases: also time each wave's prompt phase alone (the same requests with MaxTokens = 1: prompt + one token),
        // so that generation = wall - prompt phase; shows where a difference between two runtimes comes from.
        bool phases = args.Contains("--phases");
        Console.WriteLine("| parallel | capture | total tokens/s | generated tokens/s | wall s (min / median / max) |" + (phases ? " prompt phase s (median) | generation s (median) |" : ""));
        Console.WriteLine("|---:|---|---:|---:|---|" + (phases ? "---:|---:|" : ""));
        foreach (int parallel in parallels)
        {
            int[] shared = Enumerable.Range(0, sharedLength).Select(_ => random.Next(200, 150000)).ToArray();
            var requests = Enumerable.Range(0, parallel)
                .Select(i => new GenerationRequest(i, [.. shared, .. Enumerable.Range(0, prompt).Select(_ => random.Next(200, 150000))], SamplingSettings.Greedy, generate))
                .ToArray();
            // Both generators stay loaded and run alternately, so capture on/off see the same machine state (paired A/B).
            var generators = new[] { false, true }.ToDictionary(capture => capture, capture => new BatchedGenerator(teacher, new GeneratorOptions
            {
                Parallel = parallel, ContextPerSequence = sharedLength + prompt + generate + 1 + IntArg(args, "--ctx-extra", 0), BatchSize = Math.Max(512, parallel * prompt),
                TopK = topK, CaptureDistribution = capture, IgnoreEndOfGeneration = true,
            }));
            var walls = generators.Keys.ToDictionary(capture => capture, _ => new List<double>());
            var prompts = generators.Keys.ToDictionary(capture => capture, _ => new List<double>());
            foreach (var generator in generators.Values) generator.Generate(requests.Take(1).Select(r => r with { MaxTokens = 2 })).ToArray(); // warm-up
            for (int r = 0; r < repeats; r++)
            {
                foreach (var (capture, generator) in generators)
                {
                    var clock = Stopwatch.StartNew();
                    int tokens = generator.Generate(requests, sharedPrefix: shared).Sum(c => c.TokenIds.Length);
                    walls[capture].Add(clock.Elapsed.TotalSeconds);
                    if (tokens != parallel * generate) throw new InvalidOperationException($"generated {tokens} tokens, expected {parallel * generate}");
                    if (phases)
                    {
                        clock.Restart();
                        generator.Generate(requests.Select(q => q with { MaxTokens = 1 }), sharedPrefix: shared).Sum(c => c.TokenIds.Length);
                        prompts[capture].Add(clock.Elapsed.TotalSeconds);
                    }
                }
            }
            var medians = new Dictionary<bool, double>();
            foreach (var (capture, list) in walls)
            {
                list.Sort();
                double median = list[list.Count / 2];
                medians[capture] = median;
                string phaseColumns = "";
                if (phases)
                {
                    var promptWalls = prompts[capture].Order().ToList();
                    phaseColumns = $" {promptWalls[promptWalls.Count / 2]:F2} | {median - promptWalls[promptWalls.Count / 2]:F2} |";
                }
                Console.WriteLine($"| {parallel} | {(capture ? $"top-{topK}" : "off")} | {(sharedLength + parallel * (prompt + generate)) / median:F1} | {parallel * generate / median:F1} | {list[0]:F2} / {median:F2} / {list[^1]:F2} |{phaseColumns}");
            }
            foreach (var generator in generators.Values) generator.Dispose();
            Console.WriteLine($"|  | capture cost | {100 * (medians[true] / medians[false] - 1):+0.0;-0.0;0.0}% wall |  |  |");
        }
        return 0;
    }

    internal static string? StringArg(string[] args, string name) { int i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
    internal static int IntArg(string[] args, string name, int fallback) => StringArg(args, name) is { } v ? int.Parse(v) : fallback;
}
