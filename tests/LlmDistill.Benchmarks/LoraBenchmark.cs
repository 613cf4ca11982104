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
/// usage: dotnet run -c Release --project tests/LlmDistill.Benchmarks -- --lora [--shape qwen3-0.6b|qwen2.5-0.5b] [--rank 16] [--batch 4] [--seq 256] [--steps 3]
/// </summary>
static class LoraBenchmark
{
    /// <summary>Qwen3-0.6B's shapes: 1024 wide, 28 blocks, 16 heads of 128 (8 kv), SwiGLU 3072, q/k norms, tied, 151,936 rows.</summary>
    static readonly LlamaModelConfig Qwen3_0_6B = new()
    {
        Architecture = ModelArchitecture.Qwen3, VocabSize = 151_936, EmbeddingLength = 1024, BlockCount = 28, HeadCount = 16, HeadCountKv = 8,
        HeadDim = 128, FeedForwardLength = 3072, ContextLength = 40960, RopeFreqBase = 1_000_000f, RmsNormEps = 1e-6f, TiedEmbeddings = true,
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
        foreach (string m in new[] { "full", "lora" })
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
            results[m] = (double.Parse(f[1]), double.Parse(f[2]), long.Parse(f[3]));
            Console.WriteLine($"{m}: {text.Split('\n').First(l => l.StartsWith("parameters", StringComparison.Ordinal))}");
        }
        var (full, lora) = (results["full"], results["lora"]);
        Console.WriteLine();
        Console.WriteLine("| training | trained parameters | tokens/s | peak resident memory |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine($"| full fine-tuning | {full.Trainable / 1e6:F1}M | {full.TokensPerSecond:F0} | {full.PeakMiB / 1024:F2} GiB |");
        Console.WriteLine($"| LoRA r={rank} | {lora.Trainable / 1e6:F2}M | {lora.TokensPerSecond:F0} | {lora.PeakMiB / 1024:F2} GiB |");
        Console.WriteLine($"| LoRA ÷ full | | {lora.TokensPerSecond / full.TokensPerSecond:F2}× | {lora.PeakMiB / full.PeakMiB:F2}× |");
        AdapterSize(shape, rank);
        return 0;
    }

    static LlamaModelConfig Config(string shape) => shape switch
    {
        "qwen3-0.6b" => Qwen3_0_6B,
        "qwen2.5-0.5b" => LlamaModelConfig.Qwen25_0_5B,
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
        if (mode == "lora")
            model.AttachLora(new LoraBase(new LoraOptions { Rank = rank }, "random-base.gguf", new string('0', 64)));
        long trainable = model.parameters().Where(p => p.requires_grad).Sum(p => p.numel());
        Console.WriteLine($"parameters {model.parameters().Sum(p => p.numel()) / 1e6:F1}M, trained {trainable / 1e6:F2}M");
        var options = new TrainerOptions { Steps = steps + 2, BatchSize = batch, WarmupSteps = 1, EvalEvery = 0, EvalBatches = 1, CheckpointEvery = 0, LogEvery = 1000 };
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
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) / 1024.0;
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
