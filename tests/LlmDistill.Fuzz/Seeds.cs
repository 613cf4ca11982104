using System.Text.Json;
using LlmDistill.Demo;
using LlmDistill.Gguf;
using LlmDistill.Teacher;
using LlmDistill.Traces;
using Parquet;
using Parquet.Schema;

namespace LlmDistill.Fuzz;

/// <summary>
/// Writes the binary seeds of tests/fuzz/corpus with the project's own writers (`llmdistill-fuzz seeds FOLDER`):
/// tiny GGUFs (one per dequantizable type, plus metadata of every value type), a trace part file, a Parquet data set,
/// and the demo's recipes as JSON. The text seeds (prompts, pipeline, tokenizer.json, data sets) are copied files.
/// </summary>
static class Seeds
{
    public static void Write(string corpus)
    {
        var random = new Random(18);
        string gguf = Dir(corpus, "gguf");
        foreach (var type in new[] { GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0 })
        {
            var values = Enumerable.Range(0, 64).Select(i => (float)(random.NextDouble() * 4 - 2)).ToArray();
            new GgufWriter().AddTensor("w", [32, 2], type, values).Write(Path.Combine(gguf, $"{type}.gguf"));
        }
        // Types the writer does not quantize: random block bytes (scales included) are what decoding must survive.
        foreach (var (type, bytes, elements) in new[] { (GgmlType.Q4_0, 18, 32), (GgmlType.Q4_K, 144, 256), (GgmlType.Q5_K, 176, 256), (GgmlType.Q6_K, 210, 256), (GgmlType.Q2_K, 84, 256) })
        {
            var block = new byte[bytes];
            random.NextBytes(block);
            new GgufWriter().AddEncodedTensor("w", [elements], type, () => block).Write(Path.Combine(gguf, $"{type}.gguf"));
        }
        var metadata = new GgufMetadata()
            .SetString("general.architecture", "llama").SetString("general.name", "fuzz ✓").SetBool("b", true)
            .SetUInt8("u8", 7).SetInt8("i8", -7).SetUInt16("u16", 700).SetInt16("i16", -700).SetUInt32("llama.block_count", 2)
            .SetInt32("i32", -70000).SetUInt64("u64", 1UL << 40).SetInt64("i64", -(1L << 40)).SetFloat32("f32", 1e-5f)
            .SetFloat64("f64", 1e6).SetStringArray("tokenizer.ggml.tokens", ["<s>", "a", "b"]).SetInt32Array("ia", [1, -2])
            .SetUInt32Array("ua", [3]).SetFloat32Array("tokenizer.ggml.scores", [0f, -1f, -2f]).SetUInt32("general.alignment", 64);
        new GgufWriter(metadata).AddTensor("a", [4], GgmlType.F32, new float[] { 1, 2, 3, 4 })
            .AddTensor("b", [2, 2], GgmlType.F16, new float[] { -1, 0.5f, 0, 65504 }).Write(Path.Combine(gguf, "metadata.gguf"));

        string traces = Dir(corpus, "traces");
        string scratch = Path.Combine(Path.GetTempPath(), $"llmdistill-fuzz-seeds-{Environment.ProcessId}");
        using (var writer = new TraceWriter(scratch, Provenance()))
        {
            writer.Write(Row(1));
            writer.Write(Row(2));
        }
        foreach (string part in TracePartFiles.List(scratch)) File.Copy(part, Path.Combine(traces, "two-rows.parquet"), overwrite: true);
        Directory.Delete(scratch, recursive: true);

        // Data set seeds start with the reader's selector byte (see FuzzTargets.Datasets): '2' = Parquet.
        string datasets = Dir(corpus, "datasets");
        File.WriteAllBytes(Path.Combine(datasets, "2-parquet.bin"), [(byte)'2', .. ParquetDataset().GetAwaiter().GetResult()]);

        string recipes = Dir(corpus, "recipe");
        foreach (var (name, recipe) in DemoRecipe.Named)
            File.WriteAllText(Path.Combine(recipes, $"{name}.json"), JsonSerializer.Serialize(recipe, DemoSummary.Json));
    }

    static async Task<byte[]> ParquetDataset()
    {
        var question = new DataField<string>("question");
        var answer = new DataField<string>("answer");
        var id = new DataField<long>("id");
        var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, question, answer), stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(id, new ReadOnlyMemory<long>([1, 2]));
            await group.WriteAsync(question, new[] { "What is 2 + 3?", "Twice 4?" });
            await group.WriteAsync(answer, new[] { "2 + 3 = <<2+3=5>>5\n#### 5", "8" });
        }
        return stream.ToArray();
    }

    static string Dir(string corpus, string target) => Directory.CreateDirectory(Path.Combine(corpus, target)).FullName;

    static TraceProvenance Provenance() => new()
    {
        TeacherFileName = "teacher.gguf", TeacherFileSize = 1234, TeacherSha256 = new string('a', 64),
        Architecture = "qwen2", Quantization = "Q8_0", TokenizerFingerprint = new string('b', 64),
        Temperature = 0.7f, TopP = 0.95f, TopKSampling = 40, Seed = 42, CaptureTopK = 2,
        ContextSize = 256, MaxTokens = 16, PromptTemplateName = "cot-math", PromptTemplateSha256 = new string('c', 64),
        ToolVersion = "fuzz-seed",
    };

    static TraceRecord Row(int example) => new()
    {
        Dataset = "gsm8k", Split = "train", ExampleId = $"q{example}", SampleIndex = 0,
        Question = $"What is {example} + 1?", GoldAnswer = $"{example + 1}",
        PromptText = $"Q: What is {example} + 1?\nA:", PromptTokenIds = [48, 25, 3555, example],
        CompletionText = $"{example + 1}.", CompletionTokenIds = [17 + example, 13, 151_643],
        Rationale = "", Answer = $"{example + 1}", FinishReason = FinishReason.EndOfGeneration,
        Correct = true, MajorityAnswer = "7", AgreesWithMajority = false, Keep = true, TopK = 2,
        SampledLogprobs = [-0.01f, -2.5f, -1e-6f], TopIds = [17 + example, 18, 13, 11, 151_643, 151_645],
        TopLogprobs = [-0.01f, -4.75f, -0.2f, -2.5f, -1e-6f, -14.3f], TailMass = [0.0012f, 0.07f, 0f],
    };
}
