using System.Diagnostics;
using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Training;
using static TorchSharp.torch;

namespace LlmDistill.Benchmarks;

/// <summary>
/// LoRA vs full fine-tuning of one model, each in its own child process (peak resident memory is per process): tokens/s
/// of trainer steps and the peak resident set (VmHWM), plus the adapter file's size against the base's F16 GGUF, and
/// float32 vs bfloat16 matmul on this CPU (the dtype question for a frozen base).
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --lora [--shape qwen3-0.6b|qwen2.5-0.5b|smollm2-135m] [--rank 16] [--batch 4] [--seq 256] [--steps 3] [--rounds 2]
///   [--modes full,lora,lora-bf16] (lora-bf16: the frozen base held in bfloat16; a "+gc" suffix, as full+gc, adds gradient checkpointing)
/// Rounds alternate full and LoRA (A/B/A/B) and keep each mode's best rate, so a neighbour's load hits both alike.
/// </summary>
static class LoraBenchmark
{
    /// <summary>Qwen3-0.6B's shapes: 1024 wide, 28 blocks, 16 heads of 128 (8 kv), SwiGLU 3072, q/k norms, tied, 151,936 rows.</summary>
    static readonly LlamaModelConfig Qwen3_0_6B = new()
    {
        Architecture = ModelArchitecture.Qwen3, VocabSize = 151_936, EmbeddingLength = 1024, BlockCount = 28, HeadCount = 16, HeadCountKv = 8,
        HeadDim = 128, FeedForwardLength = 3072, ContextLength = 40960, RopeFreqBase = 1_000_000f, RmsNormEps = 1e-6f, TiedEmbeddings = true,
    };

    /// <summary>SmolLM2-135M's shapes: llama, 576 wide, 30 blocks, 9 heads of 64 (3 kv), SwiGLU 1536, tied, 49,152 rows.</summary>
    static readonly LlamaModelConfig SmolLm2_135M = new()
    {
        Architecture = ModelArchitecture.Llama, VocabSize = 49_152, EmbeddingLength = 576, BlockCount = 30, HeadCount = 9, HeadCountKv = 3,
        FeedForwardLength = 1536, ContextLength = 8192, RopeFreqBase = 100_000f, RmsNormEps = 1e-5f, TiedEmbeddings = true,
    };

    public static int Run(string[] args)
    {
        if (Program.StringArg(args, "--lora-child") is { } mode) return Child(args, mode);
        TorchRuntime.EnsureLoadable();
        string shape = Program.StringArg(args, "--shape") ?? "qwen3-0.6b";
        int rank = Program.IntArg(args, "--rank", 16), batch = Program.IntArg(args, "--batch", 4), seq = Program.IntArg(args, "--seq", 256), steps = Program.IntArg(args, "--steps", 3);
        if (File.Exists("/proc/loadavg")) Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} (other processes share these cores)");
        Console.WriteLine($"{Environment.ProcessorCount} cores, {shape}, batch {batch} × {seq}, top-20 traces, {steps} timed steps after one warm-up, AdamW; LoRA rank {rank} (alpha {2 * rank}) on all seven projections");
        BaseDtype();

        var rows = new List<string>();
        var results = new Dictionary<string, (double TokensPerSecond, double PeakMiB, long Trainable)>();
        int rounds = Program.IntArg(args, "--rounds", 2);
        string[] modes = (Program.StringArg(args, "--modes") ?? "full,lora,lora-bf16").Split(',', StringSplitOptions.RemoveEmptyEntries);
        foreach (string m in Enumerable.Range(0, rounds).SelectMany(_ => modes))
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            foreach (string a in Environment.GetCommandLineArgs().Skip(1)) start.ArgumentList.Add(a);
            start.ArgumentList.Add("--lora-child");
            start.ArgumentList.Add(m);
            using var child = Process.Start(start)!;
            string text = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            string? line = text.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (child.ExitCode != 0 || line is null) { Console.Error.WriteLine(text); return 1; }
            var f = line.Split(' ');
            var run = (TokensPerSecond: double.Parse(f[1]), PeakMiB: double.Parse(f[2]), Trainable: long.Parse(f[3]));
            Console.WriteLine($"{m}: {text.Split('\n').First(l => l.StartsWith("parameters", StringComparison.Ordinal))}: {run.TokensPerSecond:F1} tokens/s, peak {run.PeakMiB / 1024:F2} GiB");
            results[m] = results.TryGetValue(m, out var best) && best.TokensPerSecond >= run.TokensPerSecond ? best with { PeakMiB = Math.Max(best.PeakMiB, run.PeakMiB) } : run with { PeakMiB = Math.Max(run.PeakMiB, best.PeakMiB) };
        }
        Console.WriteLine();
        Console.WriteLine($"| {shape} training | trained parameters | tokens/s | peak resident memory |" + (results.Keys.Any(k => k.StartsWith("full", StringComparison.Ordinal)) ? " tokens/s ÷ full | memory ÷ full |" : ""));
        Console.WriteLine("|---|---:|---:|---:|" + (results.Keys.Any(k => k.StartsWith("full", StringComparison.Ordinal)) ? "---:|---:|" : ""));
        foreach (var (m, r) in results)
        {
            string label = Label(m, rank);
            string ratios = results.TryGetValue(m.EndsWith("+gc", StringComparison.Ordinal) && results.ContainsKey("full+gc") ? "full+gc" : "full", out var full) ? $" {r.TokensPerSecond / full.TokensPerSecond:F2}× | {r.PeakMiB / full.PeakMiB:F2}× |" : "";
            Console.WriteLine($"| {label} | {r.Trainable / 1e6:F2}M | {r.TokensPerSecond:F1} | {r.PeakMiB / 1024:F2} GiB |{ratios}");
        }
        AdapterSize(shape, rank);
        return 0;
    }

    static string Label(string mode, int rank) => (mode.Replace("+gc", "") switch
    {
        "full" => "full fine-tuning", "lora" => $"LoRA r={rank}, f32 base", _ => $"LoRA r={rank}, bf16 base",
    }) + (mode.EndsWith("+gc", StringComparison.Ordinal) ? ", gradient checkpointing" : "");

    static LlamaModelConfig Config(string shape) => shape switch
    {
        "qwen3-0.6b" => Qwen3_0_6B,
        "qwen2.5-0.5b" => LlamaModelConfig.Qwen25_0_5B,
        "smollm2-135m" => SmolLm2_135M,
        _ => throw new ArgumentException($"--shape is qwen3-0.6b or qwen2.5-0.5b, not {shape}"),
    };

    /// <summary>One mode in this process: trainer steps on random top-20 traces; prints "RESULT tokens/s peakMiB trainable".</summary>
    static int Child(string[] args, string mode)
    {
        TorchRuntime.EnsureLoadable();
        var config = Config(Program.StringArg(args, "--shape") ?? "qwen3-0.6b");
        int rank = Program.IntArg(args, "--rank", 16), batch = Program.IntArg(args, "--batch", 4), seq = Program.IntArg(args, "--seq", 256), steps = Program.IntArg(args, "--steps", 3);
        random.manual_seed(1);
        var model = new StudentModel(config);
        bool checkpointing = mode.EndsWith("+gc", StringComparison.Ordinal);
        mode = mode.Replace("+gc", "");
        if (mode != "full")
            model.AttachLora(new LoraBase(new LoraOptions { Rank = rank, BaseType = mode == "lora-bf16" ? LoraBaseType.BF16 : LoraBaseType.F32 }, "random-base.gguf", new string('0', 64)));
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Console.WriteLine($"parameters {model.parameters().Sum(p => p.numel()) / 1e6:F1}M, trained {trainable / 1e6:F2}M");
        var options = new TrainerOptions { Steps = steps + 2, BatchSize = batch, WarmupSteps = 1, EvalEvery = 0, EvalBatches = 1, CheckpointEvery = 0, LogEvery = 1000, GradientCheckpointing = checkpointing };
        string folder = Directory.CreateTempSubdirectory("llmdistill-lora-bench-").FullName;
        try
        {
            var marks = new Dictionary<long, TimeSpan>();
            using (var trainer = Trainer.Start(model, TrainingBenchmark.Vocabulary(config.VocabSize), new TrainingBenchmark.RandomTraces(config.VocabSize, batch, seq), options, folder))
                trainer.Run(new TrainingBenchmark.Marks(p => marks[p.Step] = p.Elapsed));
            double seconds = (marks[steps + 1] - marks[1]).TotalSeconds;
            Console.WriteLine($"RESULT {steps * batch * seq / seconds:F1} {PeakResidentMiB():F0} {trainable}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>VmHWM: the most resident memory this process has had.</summary>
    static double PeakResidentMiB()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0; // "VmHWM:\t 123 kB", no space once the number is wide
    }

    /// <summary>Adapter GGUF bytes (written for real) against the base as an F16 GGUF (computed from its tensor table).</summary>
    static void AdapterSize(string shape, int rank)
    {
        var config = Config(shape);
        random.manual_seed(1);
        using var model = new StudentModel(config);
        model.AttachLora(new LoraBase(new LoraOptions { Rank = rank }, "random-base.gguf", new string('0', 64)));
        string path = Path.Combine(Path.GetTempPath(), $"llmdistill-adapter-{Environment.ProcessId}.gguf");
        try
        {
            LoraAdapterGguf.Write(model, path);
            long adapter = new FileInfo(path).Length;
            long baseF16 = ModelTensors.For(config).Sum(t => t.ElementCount * (t.Kind == ModelTensorKind.Matrix ? 2L : 4L));
            long baseQ8 = ModelTensors.For(config).Sum(t => t.Kind == ModelTensorKind.Matrix ? t.ElementCount / 32 * 34 : t.ElementCount * 4);
            Console.WriteLine();
            Console.WriteLine($"adapter file (F32): {adapter / 1048576.0:F1} MiB = {100.0 * adapter / baseF16:F1}% of the F16 base ({baseF16 / 1048576.0:F0} MiB), {100.0 * adapter / baseQ8:F1}% of a Q8_0 base ({baseQ8 / 1048576.0:F0} MiB)");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A frozen base's matmul in float32 vs bfloat16 (1024 tokens × 1024 → 3072, forward), with bfloat16's error.</summary>
    static void BaseDtype()
    {
        using var scope = NewDisposeScope();
        var x = randn(1024, 1024);
        var w = randn(3072, 1024) * 0.02;
        double Time(Tensor a, Tensor b)
        {
            nn.functional.linear(a, b);
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 10; i++) nn.functional.linear(a, b);
            return clock.Elapsed.TotalSeconds / 10;
        }
        double f32 = Time(x, w);
        var (xb, wb) = (x.to(ScalarType.BFloat16), w.to(ScalarType.BFloat16));
        double bf16 = Time(xb, wb);
        var exact = nn.functional.linear(x, w);
        double error = (nn.functional.linear(xb, wb).to(ScalarType.Float32) - exact).abs().max().item<float>() / exact.abs().max().item<float>();
        Console.WriteLine($"base matmul 1024×1024 · 1024×3072ᵀ: float32 {f32 * 1e3:F1} ms, bfloat16 {bf16 * 1e3:F1} ms ({f32 / bf16:F2}× faster), bfloat16 max error {error:P2} of the largest output");
    }
}
