using System.Diagnostics;
using System.Text.Json.Nodes;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tokenization;
using LlmDistill.Training;
using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Benchmarks;

/// <summary>
/// Training throughput on this machine: fp32 matmul peak, then tokens/s and model FLOPs utilisation
/// (6 · matmul parameters · tokens/s ÷ peak; the output projection V × C counts, the embedding lookup does not) for the
/// 10m and 60m students with a Qwen-sized vocabulary, the share of step time spent on the vocabulary (chunked logits
/// and loss), and resident memory after 100 vs 1000 steps.
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --training [--quick] [--vocab 151936] [--seq 256] [--batch 4] [--students 10m,60m (none: "")] [--no-memory]
///   [--memory-student 10m] [--memory-batch 1] [--memory-seq 64] [--memory-steps 100,1000]
/// Environment: BENCH_PHASES=1 prints each phase of a few steps (forward, loss, backward, clip, AdamW);
/// BENCH_TRACE=1 prints resident memory every 5 steps of the memory run.
/// Big vocabularies instead: -- --training --big-vocabulary [--steps 2] [--no-share] [--gradient-checkpointing] [--students gemma3-270m:262144,qwen3-0.6b:151936]:
/// the real small models' shapes (random weights) with their own vocabulary sizes, batch 4 × 256, top-20 traces, chunked
/// loss; tokens/s, MFU as above, and each student's peak resident memory (the peak is reset between students).
/// </summary>
static class TrainingBenchmark
{
    public static int Run(string[] args)
    {
        TorchRuntime.EnsureLoadable();
        if (args.Contains("--big-vocabulary")) return BigVocabulary(args);
        bool quick = args.Contains("--quick");
        int vocab = Program.IntArg(args, "--vocab", 151_936), seq = Program.IntArg(args, "--seq", quick ? 64 : 256), batch = Program.IntArg(args, "--batch", quick ? 2 : 4);
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (other processes share these cores)");
        Console.WriteLine($"{Environment.ProcessorCount} cores, torch threads {get_num_threads()}, vocabulary {vocab:N0} (Qwen2.5's padded size), batch {batch} × {seq} tokens, AdamW, chunked loss (chunk 256, top-20 teacher)");

        int[] sizes = quick ? [1024, 2048] : [1024, 2048, 4096];
        double peakBefore = PeakMatmul(sizes);
        var results = new List<(string Name, StudentShape Shape, double TokensPerSecond, double StepSeconds, double VocabularyShare, long Matmul, double ExecutedFlopsPerStep)>();
        foreach (string name in (Program.StringArg(args, "--students") ?? "10m,60m").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var shape = StudentShape.Parse(name);
            var (tokensPerSecond, stepSeconds, vocabularyShare, matmul, executed) = Throughput(shape, vocab, batch, seq, steps: quick ? 2 : 4, shareSteps: quick ? 1 : 2, checkpointing: false);
            results.Add((name, shape, tokensPerSecond, stepSeconds, vocabularyShare, matmul, executed));
            using var self = Process.GetCurrentProcess();
            Console.WriteLine($"{name}: resident {self.WorkingSet64 / 1048576.0:F0} MiB, peak {self.PeakWorkingSet64 / 1048576.0:F0} MiB");
        }
        // The peak again after the students: a neighbour's load during either measurement would inflate MFU, so the
        // higher of the two is the divisor (the conservative choice).
        double peak = Math.Max(peakBefore, PeakMatmul(sizes));
        Console.WriteLine();
        Console.WriteLine($"fp32 matmul peak: {peak:F1} GFLOP/s (best before and after the students)");
        Console.WriteLine();
        Console.WriteLine("MFU = 6 · matmul parameters · tokens/s ÷ peak. Executed = the matmul FLOPs the step really does ÷ step time ÷ peak:");
        Console.WriteLine("the output projection only runs on loss positions (here 3/4 of them; prompt positions have no loss), attention not counted.");
        Console.WriteLine();
        Console.WriteLine("| student | body params | vocabulary matrix (tied) | tokens/s | MFU | executed FLOP/s ÷ peak | vocabulary share of step | s per step |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            double mfu = 6.0 * r.Matmul * r.TokensPerSecond / (peak * 1e9);
            double executed = r.ExecutedFlopsPerStep / r.StepSeconds / (peak * 1e9);
            Console.WriteLine($"| {r.Name} | {r.Shape.NonEmbeddingParameters / 1e6:F1}M | {(long)vocab * r.Shape.EmbeddingLength / 1e6:F1}M | {r.TokensPerSecond:F0} | {mfu:P1} | {executed:P1} | {r.VocabularyShare:P0} | {r.StepSeconds:F2} |");
        }

        if (args.Contains("--no-memory")) return 0;
        int[] marks = (Program.StringArg(args, "--memory-steps") ?? (quick ? "20,200" : "100,1000")).Split(',').Select(int.Parse).ToArray();
        int early = marks[0], late = marks[1];
        string memoryStudent = Program.StringArg(args, "--memory-student") ?? "10m";
        int memoryBatch = Program.IntArg(args, "--memory-batch", 1), memorySeq = Program.IntArg(args, "--memory-seq", quick ? 32 : 64);
        var (first, last) = MemoryOverSteps(StudentShape.Parse(memoryStudent), vocab, memoryBatch, memorySeq, early, late);
        Console.WriteLine();
        Console.WriteLine($"| memory, {memoryStudent} student, batch {memoryBatch} × {memorySeq} | after step {early} | after step {late} | change |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| peak resident set so far | {first.Peak / 1048576.0:F0} MiB | {last.Peak / 1048576.0:F0} MiB | {(last.Peak - first.Peak) * 100.0 / first.Peak:+0.0;-0.0}% |");
        Console.WriteLine($"| resident set | {first.Rss / 1048576.0:F0} MiB | {last.Rss / 1048576.0:F0} MiB | {(last.Rss - first.Rss) * 100.0 / first.Rss:+0.0;-0.0}% |");
        Console.WriteLine($"| live torch tensors | {first.Live} | {last.Live} | {last.Live - first.Live:+0;-0} |");
        return Math.Abs(last.Peak - first.Peak) <= 0.05 * first.Peak ? 0 : 1;
    }

    /// <summary>
    /// Gemma-3-270M (262,144 tokens) and Qwen3-0.6B (151,936) shapes with random weights: the vocabulary matrix is 63% and
    /// 26% of their parameters, so these are the cases the chunked loss is for. Each student's peak is measured alone:
    /// the kernel's high-water mark (VmHWM) is reset through /proc/self/clear_refs before it is built.
    /// </summary>
    static int BigVocabulary(string[] args)
    {
        int batch = Program.IntArg(args, "--batch", 4), seq = Program.IntArg(args, "--seq", 256), steps = Program.IntArg(args, "--steps", 2);
        bool noShare = args.Contains("--no-share"); // skips the two separately timed steps of the vocabulary share
        bool checkpointing = args.Contains("--gradient-checkpointing"); // recompute each block in the backward pass: less memory, one more forward
        var students = (Program.StringArg(args, "--students") ?? "gemma3-270m:262144,qwen3-0.6b:151936").Split(',')
            .Select(s => s.Split(':')).Select(p => (Name: p[0], Vocab: int.Parse(p[1]))).ToArray();
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (other processes share these cores)");
        Console.WriteLine($"{Environment.ProcessorCount} cores, torch threads {get_num_threads()}, batch {batch} × {seq} tokens, top-20 teacher, AdamW, chunked loss (chunk 256), {steps} timed steps{(checkpointing ? ", gradient checkpointing (MFU counts 6 · N per token, not the recomputation)" : "")}");
        int[] sizes = [1024, 2048];
        double peakBefore = PeakMatmul(sizes);
        var measured = new List<(string Name, int Vocab, StudentShape Shape, double TokensPerSecond, double StepSeconds, double Share, long Matmul, long PeakBytes)>();
        foreach (var (name, vocab) in students)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            ResetPeakResident();
            var shape = StudentShape.Parse(name);
            var (tokensPerSecond, stepSeconds, share, matmul, _) = Throughput(shape, vocab, batch, seq, steps, shareSteps: noShare ? 0 : 1, checkpointing);
            Console.WriteLine($"{name}: {stepSeconds:F1} s per step, {tokensPerSecond:F1} tokens/s");
            long peakBytes = PeakResident();
            Console.WriteLine($"{name}: peak resident {peakBytes / 1048576.0:F0} MiB");
            measured.Add((name, vocab, shape, tokensPerSecond, stepSeconds, share, matmul, peakBytes));
        }
        double peak = Math.Max(peakBefore, PeakMatmul(sizes));
        Console.WriteLine();
        Console.WriteLine($"fp32 matmul peak: {peak:F1} GFLOP/s (best before and after the students)");
        Console.WriteLine();
        Console.WriteLine("| student (random weights) | vocabulary | body params | vocabulary matrix (tied) | tokens/s | MFU | vocabulary share of step | s per step | peak resident |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in measured)
            Console.WriteLine($"| {r.Name} | {r.Vocab:N0} | {r.Shape.NonEmbeddingParameters / 1e6:F1}M | {(long)r.Vocab * r.Shape.EmbeddingLength / 1e6:F1}M | {r.TokensPerSecond:F0} | " +
                $"{6.0 * r.Matmul * r.TokensPerSecond / (peak * 1e9):P1} | {(noShare ? "–" : r.Share.ToString("P0"))} | {r.StepSeconds:F1} | {r.PeakBytes / 1073741824.0:F1} GiB |");
        return 0;
    }

    /// <summary>Resets the process's peak resident set (VmHWM); writing 5 to clear_refs is Linux's documented way.</summary>
    static void ResetPeakResident()
    {
        if (File.Exists("/proc/self/clear_refs")) File.WriteAllText("/proc/self/clear_refs", "5");
    }

    /// <summary>VmHWM from /proc/self/status, bytes; the .NET peak working set where there is no /proc.</summary>
    static long PeakResident()
    {
        if (!File.Exists("/proc/self/status"))
        {
            using var self = Process.GetCurrentProcess();
            return self.PeakWorkingSet64;
        }
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) * 1024; // "VmHWM:\t12345678 kB": a tab, then padding only under 8 digits
    }

    /// <summary>
    /// Best GFLOP/s of (N × N) · (N × N) float32 products, 2N³ flops each, written into one preallocated output (a
    /// fresh 64 MB result per product would time page faults too), best of 3 trials per size: the highest rate this
    /// machine's torch reaches, the conservative divisor for MFU.
    /// </summary>
    static double PeakMatmul(int[] sizes)
    {
        double best = 0;
        foreach (int n in sizes)
        {
            using var scope = NewDisposeScope();
            var a = randn(n, n);
            var b = randn(n, n);
            var c = empty(n, n);
            c.addmm_(a, b, beta: 0); // warm-up
            int repeats = Math.Max(2, (int)(2e10 / (2.0 * n * n * n)));
            double bestOfSize = 0;
            for (int trial = 0; trial < 3; trial++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < repeats; i++) c.addmm_(a, b, beta: 0);
                bestOfSize = Math.Max(bestOfSize, 2.0 * n * n * n * repeats / clock.Elapsed.TotalSeconds / 1e9);
            }
            Console.WriteLine($"matmul {n}×{n}: {bestOfSize:F1} GFLOP/s (best of 3 × {repeats} products)");
            best = Math.Max(best, bestOfSize);
        }
        return best;
    }

    /// <summary>Trainer steps after one warm-up step, before the last (which adds the final eval); the vocabulary share from separately timed steps.</summary>
    static (double TokensPerSecond, double StepSeconds, double VocabularyShare, long Matmul, double ExecutedFlopsPerStep) Throughput(StudentShape shape, int vocab, int batch, int seq, int steps, int shareSteps, bool checkpointing)
    {
        var config = shape.For(ModelArchitecture.Qwen2, vocab, 1_000_000f, 1e-6f); // a model preset keeps its own family
        long body = ModelTensors.For(config).Where(t => t.Kind == ModelTensorKind.Matrix && t.Name != ModelTensors.TokenEmbedding).Sum(t => t.Shape[0] * t.Shape[1]);
        long output = (long)vocab * shape.EmbeddingLength; // output projection (tied: the embedding matrix used as output)
        var data = new RandomTraces(vocab, batch, seq);
        double executed = 6.0 * body * batch * seq + 6.0 * output * batch * RandomTraces.LossPositions(seq);
        var options = new TrainerOptions { Steps = steps + 2, BatchSize = batch, WarmupSteps = 1, EvalEvery = 0, CheckpointEvery = 0, LogEvery = 1000, GradientCheckpointing = checkpointing };
        string folder = Directory.CreateTempSubdirectory("llmdistill-bench-").FullName;
        try
        {
            random.manual_seed(1);
            var model = new StudentModel(config);
            double share = VocabularyShare(model, data, options.Loss, shareSteps);
            if (Environment.GetEnvironmentVariable("BENCH_PHASES") == "1") Phases(model, data, options);
            var marks = new Dictionary<long, TimeSpan>();
            using (var trainer = Trainer.Start(model, Vocabulary(vocab), data, options, folder))
                trainer.Run(new Marks(p => marks[p.Step] = p.Elapsed));
            // Step 1 warms up; the last step also runs the trainer's final eval pass, so it is not timed either.
            double seconds = (marks[steps + 1] - marks[1]).TotalSeconds;
            return ((double)steps * batch * seq / seconds, seconds / steps, share, body + output, executed);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Times each phase of a few steps done as the trainer does them (BENCH_PHASES=1), to see where a step goes.</summary>
    static void Phases(StudentModel model, RandomTraces data, TrainerOptions options)
    {
        var weight = model.GgufParameters()[ModelTensors.TokenEmbedding];
        var parameters = model.parameters().ToArray();
        using var optimizer = StudentOptimizer.Create(model, options);
        using var workspace = new DistillationWorkspace();
        for (int i = 0; i < 4; i++)
        {
            using var scope = NewDisposeScope();
            var batch = data.Train(null).First().Batch;
            var clock = Stopwatch.StartNew();
            var marks = new List<(string, double)>();
            void Mark(string name) { marks.Add((name, clock.Elapsed.TotalSeconds)); clock.Restart(); }
            optimizer.zero_grad(); Mark("zero_grad");
            var hidden = model.Hidden(batch.InputIds); Mark("forward");
            var result = DistillationLoss.Compute(hidden, weight, batch, options.Loss, 0, workspace); Mark("loss");
            result.Loss.backward(); Mark("backward");
            StudentOptimizer.ClipGradients(parameters, options.GradClip); Mark("clip");
            optimizer.step(); Mark("adamw");
            Console.WriteLine(string.Join("  ", marks.Select(m => $"{m.Item1} {m.Item2:F2}")));
        }
    }

    /// <summary>Fraction of one training step's time spent in <see cref="DistillationLoss.Compute"/> (logits in chunks, their gradients).</summary>
    static double VocabularyShare(StudentModel model, RandomTraces data, DistillationLossOptions loss, int timedSteps)
    {
        if (timedSteps == 0) return double.NaN;
        var weight = model.GgufParameters()[ModelTensors.TokenEmbedding];
        double lossSeconds = 0, stepSeconds = 0;
        for (int i = 0; i <= timedSteps; i++)
        {
            using var scope = NewDisposeScope();
            var batch = data.Train(null).First().Batch;
            var clock = Stopwatch.StartNew();
            var hidden = model.Hidden(batch.InputIds);
            var before = clock.Elapsed;
            var result = DistillationLoss.Compute(hidden, weight, batch, loss);
            var after = clock.Elapsed;
            result.Loss.backward();
            model.zero_grad();
            if (i == 0) continue; // warm-up
            lossSeconds += (after - before).TotalSeconds;
            stepSeconds += clock.Elapsed.TotalSeconds;
        }
        return lossSeconds / stepSeconds;
    }

    /// <summary>
    /// Peak and current resident memory and live tensors after <paramref name="early"/> and <paramref name="late"/>
    /// trainer steps. The peak (VmHWM) catches growth between the two marks that the current value may not show.
    /// </summary>
    static ((long Rss, long Peak, long Live) Early, (long Rss, long Peak, long Live) Late) MemoryOverSteps(StudentShape shape, int vocab, int batch, int seq, int early, int late)
    {
        var config = shape.For(ModelArchitecture.Qwen2, vocab, 1_000_000f, 1e-6f);
        var options = new TrainerOptions { Steps = late, BatchSize = batch, WarmupSteps = 10, EvalEvery = late / 4, EvalBatches = 2, CheckpointEvery = 0, LogEvery = 10 };
        string folder = Directory.CreateTempSubdirectory("llmdistill-bench-").FullName;
        var memory = new Dictionary<long, (long Rss, long Peak, long Live)>();
        bool trace = Environment.GetEnvironmentVariable("BENCH_TRACE") == "1";
        try
        {
            random.manual_seed(1);
            using var trainer = Trainer.Start(new StudentModel(config), Vocabulary(vocab), new RandomTraces(vocab, batch, seq), options, folder);
            trainer.Run(new Marks(p =>
            {
                using var process = Process.GetCurrentProcess();
                if (trace && p.Step % 5 == 0) Console.Error.WriteLine($"step {p.Step}: {process.WorkingSet64 >> 20} MiB, peak {process.PeakWorkingSet64 >> 20} MiB");
                if (p.Step != early && p.Step != late) return;
                memory[p.Step] = (process.WorkingSet64, process.PeakWorkingSet64, TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            }));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return (memory[early], memory[late]);
    }

    /// <summary>A placeholder vocabulary of <paramref name="count"/> tokens (the trainer only writes it into checkpoints).</summary>
    internal static TokenizerVocabulary Vocabulary(int count)
    {
        var small = SmallByteLevelVocabulary.Create();
        return small.PadTo(count);
    }

    internal sealed class Marks(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>
    /// Random traces of the right shapes: token ids uniform over the vocabulary, a quarter prompt, the last 4 answer,
    /// a top-20 teacher distribution at every other position. Batch i depends only on i.
    /// </summary>
    internal sealed class RandomTraces(int vocab, int batch, int seq) : ITrainingBatches
    {
        const int TopK = 20;

        public long? BatchesPerEpoch => null;

        /// <summary>Positions of a sequence that carry loss: all but the first quarter (the prompt).</summary>
        public static int LossPositions(int seq) => seq - seq / 4;

        public IEnumerable<PositionedBatch> Train(JsonNode? position)
        {
            for (long index = position?["index"]?.GetValue<long>() ?? 0; ; index++)
                yield return new PositionedBatch(Make(new Random((int)index)), new JsonObject { ["index"] = index + 1 });
        }

        public IEnumerable<DistillationBatch> Eval() => Enumerable.Range(0, 2).Select(i => Make(new Random(-1 - i)));

        DistillationBatch Make(Random random)
        {
            int n = batch * seq;
            var tokens = Enumerable.Range(0, n + batch).Select(_ => (long)random.Next(vocab)).ToArray();
            var spans = Enumerable.Range(0, n).Select(i => (long)(i % seq < seq / 4 ? SpanKind.Ignore : i % seq >= seq - 4 ? SpanKind.Answer : SpanKind.Rationale)).ToArray();
            var ids = Enumerable.Range(0, n * TopK).Select(_ => (long)random.Next(vocab)).ToArray();
            var logprobs = Enumerable.Range(0, n * TopK).Select(i => -0.5f - i % TopK).ToArray();
            return new DistillationBatch(
                tensor(tokens[..n]).reshape(batch, seq),
                tensor(tokens[batch..]).reshape(batch, seq),
                tensor(spans).reshape(batch, seq),
                tensor(ids).reshape(batch, seq, TopK),
                tensor(logprobs).reshape(batch, seq, TopK),
                full(batch, seq, 0.05f),
                tensor(spans.Select(s => s != SpanKind.Ignore).ToArray()).reshape(batch, seq),
                ones(batch));
        }
    }
}
