using System.Diagnostics;
using LlmDistill.Native;
using LlmDistill.Scoring;
using LlmDistill.Serving;
using LlmDistill.Teacher;
using LlmDistill.Traces;

namespace LlmDistill.Benchmarks;

/// <summary>
/// The score stage end to end (trace Parquet → packed teacher forcing with logits at every completion position →
/// top-20 capture → Parquet + _nll.parquet) on the Qwen2.5-0.5B-shaped Q8_0 model, against llama.cpp prompt processing
/// of the same number of tokens as llama-batched-bench's PP phase does it (every sequence's tokens in n_batch chunks,
/// logits only for the batch's last token), alternately in one process, paired.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --score [--rows 8] [--prompt 32] [--completion 480] [--parallel 8] [--repeats 3]
/// Compare with `llama-batched-bench -m MODEL -c 4096 -b 2048 -ub 512 -npp 512 -ntg 1 -npl 8 -t 2` (its S_PP t/s).
/// With --remote: instead of prompt processing, the same rows scored through `serve` (started in this process on a
/// loopback port over the same model, its /v1/score) against the local score run, alternately, paired.
/// </summary>
static class ScoreBenchmark
{
    public static int Run(string[] args)
    {
        int rows = Program.IntArg(args, "--rows", 8), prompt = Program.IntArg(args, "--prompt", 32), completion = Program.IntArg(args, "--completion", 480);
        int parallel = Program.IntArg(args, "--parallel", 8), repeats = Program.IntArg(args, "--repeats", 3), topK = Program.IntArg(args, "--top-k", 20);
        string model = Program.StringArg(args, "--model") ?? BenchmarkModel.EnsureQwen05BShape();
        string work = Directory.CreateTempSubdirectory("llmdistill-score-bench-").FullName;
        try
        {
            var random = new Random(1234);
            int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(200, 150000))];
            var traces = Enumerable.Range(0, rows).Select(i => Row(i, Tokens(prompt), Tokens(completion))).ToArray();
            string input = Path.Combine(work, "in");
            using (var teacher = GgufModel.Load(model))
            using (var writer = new TraceWriter(input, TeacherProvenance.Of(model, teacher.Architecture)))
                foreach (var trace in traces) writer.Write(trace);
            long tokens = (long)rows * (prompt + completion);
            if (args.Contains("--remote")) return Remote(model, input, work, rows, prompt, completion, parallel, repeats, topK);
            Console.WriteLine($"model {Path.GetFileName(model)}, {Environment.ProcessorCount} cores; {rows} rows of {prompt} prompt + {completion} completion tokens, top-{topK}, {parallel} sequences");
            Console.WriteLine("| pair | score: tokens read/s | completion tokens scored/s | in llama_decode s | score wall s | llama.cpp PP (batched-bench loop) tokens/s | ratio | llama.cpp PP, logits at every completion position, tokens/s | ratio to that |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            var ratios = new List<double>();
            var ours = new List<double>();
            var theirs = new List<double>();
            var withLogits = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                var summary = ScoreRun.Run(new ScoreSettings
                {
                    TeacherPath = model, TracesPath = input, OutputFolder = Path.Combine(work, "out"), Force = true,
                    Capture = new() { TopK = topK }, Engine = new() { Parallel = parallel, ContextPerSequence = prompt + completion },
                });
                Directory.Delete(Path.Combine(work, "out"), recursive: true);
                double score = summary.DecodedTokens / summary.ScoringWall.TotalSeconds;
                double pp = PromptProcessing(model, traces, parallel, allLogits: false);
                double ppLogits = PromptProcessing(model, traces, parallel, allLogits: true);
                ours.Add(score); theirs.Add(pp); ratios.Add(score / pp); withLogits.Add(ppLogits);
                Console.WriteLine($"| {r + 1} | {score:F1} | {summary.ScoredTokens / summary.ScoringWall.TotalSeconds:F1} | {summary.LlamaDecode.TotalSeconds:F2} | {summary.ScoringWall.TotalSeconds:F2} | {pp:F1} | {score / pp:F2} | {ppLogits:F1} | {score / ppLogits:F2} |");
            }
            double Median(List<double> x) { var s = x.Order().ToList(); return s[s.Count / 2]; }
            Console.WriteLine($"| median | {Median(ours):F1} |  |  |  | {Median(theirs):F1} | {Median(ratios):F2} (ratio of medians {Median(ours) / Median(theirs):F2}) | {Median(withLogits):F1} | {Median(ours) / Median(withLogits):F2} |");
            Console.WriteLine($"tokens per run: {tokens}");
            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Local score vs score through `serve` on loopback (--teacher-url), same rows, wall seconds of the whole run.</summary>
    static int Remote(string model, string input, string work, int rows, int prompt, int completion, int parallel, int repeats, int topK)
    {
        var engine = new EngineOptions { Parallel = parallel, ContextPerSequence = prompt + completion };
        using var served = ServedModel.Load(model, engine, name: "bench");
        var server = OpenAiServer.StartAsync(new ServeSettings { ModelPath = model, Port = 0, Engine = engine }, served).GetAwaiter().GetResult();
        try
        {
            Console.WriteLine($"model {Path.GetFileName(model)}, {Environment.ProcessorCount} cores; {rows} rows of {prompt} prompt + {completion} completion tokens, top-{topK}; local: {parallel} sequences packed; remote: `serve` on loopback, {parallel} requests in flight");
            Console.WriteLine("| pair | local score wall s | local scoring s | remote score wall s | remote scoring s | ratio (wall) | ratio (scoring) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|");
            var ratios = new List<double>();
            for (int r = 0; r < repeats; r++)
            {
                ScoreSummary Score(RemoteTeacherOptions remote)
                {
                    var summary = ScoreRun.Run(new ScoreSettings
                    {
                        TeacherPath = model, TracesPath = input, OutputFolder = Path.Combine(work, "out"), Force = true,
                        Capture = new() { TopK = topK }, Engine = engine, Remote = remote,
                    });
                    Directory.Delete(Path.Combine(work, "out"), recursive: true);
                    if (summary.Rows != rows) throw new InvalidOperationException($"scored {summary.Rows} of {rows} rows: {summary.FirstSkipReason}");
                    return summary;
                }
                var local = Score(new RemoteTeacherOptions());
                var remote = Score(new RemoteTeacherOptions { Urls = [server.BaseUrl.ToString()] });
                double ratio = remote.Wall.TotalSeconds / local.Wall.TotalSeconds;
                ratios.Add(ratio);
                Console.WriteLine($"| {r + 1} | {local.Wall.TotalSeconds:F2} | {local.ScoringWall.TotalSeconds:F2} | {remote.Wall.TotalSeconds:F2} | {remote.ScoringWall.TotalSeconds:F2} | {ratio:F2} | {remote.ScoringWall.TotalSeconds / local.ScoringWall.TotalSeconds:F2} |");
            }
            Console.WriteLine($"| median | | | | | {ratios.Order().ElementAt(ratios.Count / 2):F2} | |");
            return 0;
        }
        finally
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    static TraceRecord Row(int i, int[] prompt, int[] completion) => new()
    {
        Dataset = "bench", Split = "all", ExampleId = $"{i}", SampleIndex = 0, Question = "", PromptText = "", PromptTokenIds = prompt,
        CompletionText = "", CompletionTokenIds = completion, Rationale = "", FinishReason = FinishReason.Length,
        TopK = 0, SampledLogprobs = new float[completion.Length], TopIds = [], TopLogprobs = [], TailMass = new float[completion.Length],
    };

    /// <summary>
    /// llama-batched-bench's PP phase for the same tokens: each wave of <paramref name="parallel"/> rows goes in as one
    /// batch of all their tokens (sequence i at positions 0..L−1), decoded in n_batch = 2048 chunks of n_ubatch = 512,
    /// logits only for the last token; a fresh context as batched-bench makes (-c, -b 2048, -ub 512). Tokens/s.
    /// With <paramref name="allLogits"/>, also logits at every position that predicts a completion token (what scoring
    /// needs, without the capture): the cost of the output rows alone.
    /// </summary>
    static double PromptProcessing(string model, TraceRecord[] traces, int parallel, bool allLogits)
    {
        using var teacher = GgufModel.Load(model);
        int length = traces.Max(t => t.PromptTokenIds.Length + t.CompletionTokenIds.Length);
        using var context = teacher.Model.CreateContext(new LlamaContextOptions
        {
            ContextSize = (uint)(parallel * length), SequenceCount = (uint)parallel, BatchSize = 2048, MicroBatchSize = 512,
            Threads = Environment.ProcessorCount, BatchThreads = Environment.ProcessorCount, NoPerf = true,
        });
        using var batch = new LlamaBatchBuffer(2048);
        long tokens = 0;
        var clock = Stopwatch.StartNew();
        foreach (var wave in traces.Chunk(parallel))
        {
            context.ClearMemory(data: false);
            var all = wave.SelectMany((t, s) => t.PromptTokenIds.Concat(t.CompletionTokenIds).Select((id, p) => (id, p, s, output: allLogits && p >= t.PromptTokenIds.Length - 1))).ToArray();
            for (int start = 0; start < all.Length; start += 2048)
            {
                batch.Clear();
                int end = Math.Min(all.Length, start + 2048);
                for (int i = start; i < end; i++) batch.Add(all[i].id, all[i].p, all[i].s, all[i].output || i == all.Length - 1);
                context.Decode(batch);
                context.Synchronize();
            }
            tokens += all.Length;
        }
        return tokens / clock.Elapsed.TotalSeconds;
    }
}
