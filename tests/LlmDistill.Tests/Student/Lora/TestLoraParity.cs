using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Native;
using Xunit.Abstractions;

namespace LlmDistill.Tests.Student.Lora;

/// <summary>
/// An adapter written by <see cref="LoraAdapterGguf"/> and loaded on its base through llama.cpp's LoRA API computes what
/// the TorchSharp student with those adapters computes; a merged export computes the same as adapter-on-base.
/// </summary>
[Collection(LlamaCollection.Name)]
public class TestLoraParity
{
    readonly ITestOutputHelper output;

    public TestLoraParity(ITestOutputHelper output)
    {
        this.output = output;
        TorchRuntime.EnsureLoadable();
    }

    const float Tolerance = 1e-3f;

    public static TheoryData<ModelArchitecture> Architectures => [ModelArchitecture.Llama, ModelArchitecture.Qwen2, ModelArchitecture.Qwen3];

    static readonly int[] Tokens = Enumerable.Range(0, 40).Select(i => (i * 37 + 11) % LoraStudents.Vocabulary.Count).ToArray();

    [Theory]
    [MemberData(nameof(Architectures))]
    public void An_adapter_on_its_f32_base_in_llama_cpp_gives_the_students_logits(ModelArchitecture architecture)
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), architecture);
        using var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        LoraStudents.Perturb(student);
        string adapter = dir.File("adapter.gguf");
        LoraAdapterGguf.Write(student, adapter);

        using var llama = GgufModel.Load(basePath, new GgufModelOptions { AdapterPath = adapter });
        using var plain = GgufModel.Load(basePath);
        var expected = StudentLogits.Of(student, Tokens);
        float difference = StudentLogits.MaxAbsDifference(expected, LlamaCppReference.Logits(llama.Model, Tokens));
        float adapterEffect = StudentLogits.MaxAbsDifference(expected, LlamaCppReference.Logits(plain.Model, Tokens));
        output.WriteLine($"{architecture}: max |student − llama.cpp(base+adapter)| = {difference:E2}; the adapter moves logits by up to {adapterEffect:F3}");
        Assert.True(adapterEffect > 0.1, $"the perturbed adapters barely change the logits ({adapterEffect}), so the check would prove nothing");
        Assert.True(difference <= Tolerance, $"{architecture}: max abs logit difference {difference} exceeds {Tolerance}");
        Assert.Equal(4, llama.Adapter!.Rank);
        Assert.Equal(LoraStudents.Tiny(architecture).BlockCount * 7, llama.Adapter.PatchedMatrices);
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_merged_export_computes_what_the_adapter_on_its_base_computes(ModelArchitecture architecture)
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), architecture);
        using var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options(rank: 8, targets: ["attn_q", "attn_v", "ffn_down"]));
        LoraStudents.Perturb(student);
        string adapter = dir.File("adapter.gguf"), merged = dir.File("merged.gguf");
        LoraAdapterGguf.Write(student, adapter);
        StudentGguf.Export(student, LoraStudents.Vocabulary, merged, GgmlType.F32);

        using var onBase = GgufModel.Load(basePath, new GgufModelOptions { AdapterPath = adapter });
        using var whole = GgufModel.Load(merged);
        float difference = StudentLogits.MaxAbsDifference(LlamaCppReference.Logits(onBase.Model, Tokens), LlamaCppReference.Logits(whole.Model, Tokens));
        output.WriteLine($"{architecture}: max |llama.cpp(merged) − llama.cpp(base+adapter)| = {difference:E2}");
        Assert.True(difference <= Tolerance, $"{architecture}: merged and adapter-on-base differ by {difference}");
        using var file = GgufFile.Open(merged);
        Assert.Equal(student.Lora!.BaseSha256, file.Metadata.GetString(LoraAdapterGguf.BaseSha256Key));
        Assert.Equal(["attn_q", "attn_v", "ffn_down"], file.Metadata.GetStringArray(LoraAdapterGguf.TargetsKey));
    }

    [Fact]
    public void An_adapter_on_a_q8_0_base_adds_no_error_beyond_the_bases_own_quantization()
    {
        // llama.cpp multiplies Q8_0 weights with activations rounded to 8 bits, so even the bare base differs from its
        // dequantized float32 copy; the adapter (F32 in both) must not add to that difference.
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base-q8.gguf"), ModelArchitecture.Qwen2, GgmlType.Q8_0);
        var (_, _, bare) = StudentGguf.Import(basePath);
        using var _ = bare;
        using var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        LoraStudents.Perturb(student, std: 0.1);
        string adapter = dir.File("adapter.gguf");
        LoraAdapterGguf.Write(student, adapter);
        using var plain = GgufModel.Load(basePath);
        using var llama = GgufModel.Load(basePath, new GgufModelOptions { AdapterPath = adapter });
        var expected = StudentLogits.Of(student, Tokens);
        var actual = LlamaCppReference.Logits(llama.Model, Tokens);
        float quantization = StudentLogits.MaxAbsDifference(StudentLogits.Of(bare, Tokens), LlamaCppReference.Logits(plain.Model, Tokens));
        float difference = StudentLogits.MaxAbsDifference(expected, actual);
        float effect = StudentLogits.MaxAbsDifference(expected, StudentLogits.Of(bare, Tokens));
        int sameArgMax = Enumerable.Range(0, Tokens.Length).Count(t =>
            LlamaCppReference.ArgMaxAndGap(expected[t]).Index == LlamaCppReference.ArgMaxAndGap(actual[t]).Index);
        output.WriteLine($"Q8_0 base: bare base vs llama.cpp {quantization:E2}; with adapter {difference:E2} (the adapter moves logits by up to {effect:F3}); same arg-max at {sameArgMax}/{Tokens.Length}");
        Assert.True(difference <= 2 * quantization + Tolerance, $"Q8_0 base: with the adapter the difference is {difference}, the bare base's {quantization}");
        Assert.True(effect > 4 * quantization, $"the adapter's effect ({effect}) must dwarf the quantization noise ({quantization}) for this check to mean anything");
        Assert.True(sameArgMax >= Tokens.Length - 4, $"arg-max agrees at only {sameArgMax}/{Tokens.Length} positions");
    }

    [Fact]
    public async Task A_served_adapter_on_its_base_writes_what_the_merged_model_writes()
    {
        using var dir = new TempDirectory();
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), ModelArchitecture.Qwen3);
        using var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        LoraStudents.Perturb(student);
        string adapter = dir.File("adapter.gguf"), merged = dir.File("merged.gguf");
        LoraAdapterGguf.Write(student, adapter);
        StudentGguf.Export(student, LoraStudents.Vocabulary, merged, GgmlType.F32);

        var engine = new EngineOptions { Parallel = 2, ContextPerSequence = 256 };
        int[] prompt = [5, 77, 200, 31, 12];
        async Task<int[]> Greedy(string path, string? adapterPath)
        {
            using var served = LlmDistill.Serving.ServedModel.Load(path, engine, adapterPath: adapterPath);
            return (await served.CompleteAsync(prompt, SamplingSettings.Greedy, maxTokens: 12)).TokenIds;
        }
        int[] viaAdapter = await Greedy(basePath, adapter), viaMerged = await Greedy(merged, null), bare = await Greedy(basePath, null);
        output.WriteLine($"base+adapter {string.Join(",", viaAdapter)}; merged {string.Join(",", viaMerged)}; base alone {string.Join(",", bare)}");
        Assert.Equal(viaMerged, viaAdapter);
        Assert.NotEqual(bare, viaAdapter);
    }
}
