using System.Diagnostics;
using LlmDistill.Models;
using LlmDistill.Native;
using LlmDistill.Tokenization;

namespace LlmDistill.Benchmarks;

/// <summary>The benchmark teacher, built once and cached in ~/.cache/llmdistill/bench.</summary>
static class BenchmarkModel
{
    /// <summary>A random-weight model with Qwen2.5-0.5B's shapes, written as F16 by our writer, then quantized to Q8_0 by llama.cpp.</summary>
    public static string EnsureQwen05BShape()
    {
        string cache = Path.Combine(Environment.GetEnvironmentVariable("LLMDISTILL_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmdistill"), "bench");
        Directory.CreateDirectory(cache);
        string q8 = Path.Combine(cache, "random-qwen2.5-0.5b-shape-q8_0.gguf");
        if (File.Exists(q8)) return q8;

        string f16 = Path.Combine(cache, "random-qwen2.5-0.5b-shape-f16.gguf");
        string folder = Path.Combine(AppContext.BaseDirectory, "testdata", "qwen3");
        var vocabulary = HuggingFaceTokenizerImport.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"))
            .PadTo(LlamaModelConfig.Qwen25_0_5B.VocabSize);
        var clock = Stopwatch.StartNew();
        ModelGgufWriter.Write(f16, LlamaModelConfig.Qwen25_0_5B, vocabulary, RandomLlamaWeights.Create(seed: 7), Gguf.GgmlType.F16, "random-qwen2.5-0.5b-shape");
        Console.WriteLine($"wrote {f16} in {clock.Elapsed.TotalSeconds:F1} s");
        clock.Restart();
        LlamaQuantizer.Quantize(f16, q8, LlamaFtype.MostlyQ8_0);
        Console.WriteLine($"quantized to {q8} in {clock.Elapsed.TotalSeconds:F1} s");
        File.Delete(f16);
        return q8;
    }

}
