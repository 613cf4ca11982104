using System.Diagnostics;
using LlmDistill.Models;
using LlmDistill.Native;
using LlmDistill.Tokenization;

namespace LlmDistill.Benchmarks;

/// <summary>The benchmark teacher, built once and cached in ~/.cache/llmdistill/bench.</summary>
static class BenchmarkModel
{
    /// <summary>A random-weight model with Qwen2.5-0.5B's shapes, written as F16 by our writer, then quantized to Q8_0 by llama.cpp.</summary>
    public static string EnsureQwen05BShape() => EnsureQwen05BShape(f16: false);

    /// <summary>
    /// f16: keep the F16 file (not quantized), to tell kernel differences from the rest: its matrix products use
    /// F16C/FMA on every x86 build, where Q8_0's use VNNI where a build has it.
    /// </summary>
    public static string EnsureQwen05BShape(bool f16)
    {
        string cache = Path.Combine(Environment.GetEnvironmentVariable("LLMDISTILL_CACHE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "llmdistill"), "bench");
        Directory.CreateDirectory(cache);
        string q8 = Path.Combine(cache, "random-qwen2.5-0.5b-shape-q8_0.gguf");
        string f16Path = Path.Combine(cache, "random-qwen2.5-0.5b-shape-f16.gguf");
        if (File.Exists(f16 ? f16Path : q8)) return f16 ? f16Path : q8;
        string f16File = f16 ? f16Path : f16Path + ".tmp";
        string folder = Path.Combine(AppContext.BaseDirectory, "testdata", "qwen3");
        var vocabulary = HuggingFaceTokenizerImport.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"))
            .PadTo(LlamaModelConfig.Qwen25_0_5B.VocabSize);
        var clock = Stopwatch.StartNew();
        ModelGgufWriter.Write(f16File, LlamaModelConfig.Qwen25_0_5B, vocabulary, RandomLlamaWeights.Create(seed: 7), Gguf.GgmlType.F16, "random-qwen2.5-0.5b-shape");
        Console.WriteLine($"wrote {f16File} in {clock.Elapsed.TotalSeconds:F1} s");
        if (f16) return f16File;
        clock.Restart();
        LlamaQuantizer.Quantize(f16File, q8, LlamaFtype.MostlyQ8_0);
        Console.WriteLine($"quantized to {q8} in {clock.Elapsed.TotalSeconds:F1} s");
        File.Delete(f16File);
        return q8;
    }

}
