using LlmDistill.Gguf;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student.Lora;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Native;

namespace LlmDistill.Tests.Student.Lora;

/// <summary>Adapters that do not fit their base are refused in managed code, by name, before llama.cpp reads them.</summary>
[Collection(LlamaCollection.Name)]
public class TestLoraAdapterGguf
{
    public TestLoraAdapterGguf() => TorchRuntime.EnsureLoadable();

    static (string Base, string Adapter) Pair(TempDirectory dir, ModelArchitecture architecture = ModelArchitecture.Llama)
    {
        string basePath = LoraStudents.WriteBase(dir.File("base.gguf"), architecture);
        using var student = LoraStudents.WithAdapters(basePath, LoraStudents.Options());
        string adapter = dir.File("adapter.gguf");
        LoraAdapterGguf.Write(student, adapter);
        return (basePath, adapter);
    }

    /// <summary>Rewrites <paramref name="path"/> with its metadata and tensors passed through the given edits.</summary>
    static string Rewrite(string path, string output, Action<GgufMetadata>? metadata = null, Func<GgufTensorInfo, (string Name, long[] Shape)?>? tensor = null)
    {
        using var file = GgufFile.Open(path);
        var writer = new GgufWriter();
        foreach (var (key, value) in file.Metadata) writer.Metadata.Set(key, value);
        metadata?.Invoke(writer.Metadata);
        foreach (var info in file.Tensors)
        {
            var edited = tensor is null ? (info.Name, [.. info.Dimensions]) : tensor(info);
            if (edited is not { } e) continue;
            float[] data = file.DequantizeToFloat(info);
            long count = e.Shape.Aggregate(1L, (a, b) => a * b);
            writer.AddTensor(e.Name, e.Shape, GgmlType.F32, count == data.Length ? data : new float[count]);
        }
        writer.Write(output);
        return output;
    }

    [Fact]
    public void A_written_adapter_names_its_base_rank_and_alpha()
    {
        using var dir = new TempDirectory();
        var (basePath, adapter) = Pair(dir);
        var info = LoraAdapterGguf.Check(adapter, basePath);
        Assert.Equal((4, 8f, "llama", 14), (info.Rank, info.Alpha, info.Architecture, info.PatchedMatrices));
        using var file = GgufFile.Open(adapter);
        Assert.Equal("adapter", file.Metadata.GetString("general.type"));
        Assert.Equal("lora", file.Metadata.GetString("adapter.type"));
        Assert.Equal("base.gguf", file.Metadata.GetString(LoraAdapterGguf.BaseFileKey));
        Assert.Equal(new long[] { 64, 4 }, file.GetTensor("blk.0.attn_q.weight.lora_a").Dimensions);
        Assert.Equal(new long[] { 4, 32 }, file.GetTensor("blk.0.attn_k.weight.lora_b").Dimensions);
    }

    [Fact]
    public void An_adapter_for_another_base_is_refused_by_its_hash_before_llama_cpp_loads_it()
    {
        using var dir = new TempDirectory();
        var (_, adapter) = Pair(dir);
        string other = LoraStudents.WriteBase(dir.File("other.gguf"), ModelArchitecture.Llama, seed: 77); // same shapes, other weights
        var error = Assert.Throws<InvalidDataException>(() => GgufModel.Load(other, new GgufModelOptions { AdapterPath = adapter }));
        Assert.Contains("was trained on another base (base.gguf", error.Message);
        Assert.Contains(adapter, error.Message);
    }

    [Fact]
    public void Adapters_whose_shapes_do_not_fit_the_base_are_refused_naming_the_tensor()
    {
        using var dir = new TempDirectory();
        var (basePath, adapter) = Pair(dir);
        string bad = Rewrite(adapter, dir.File("bad.gguf"), m => m.Remove(LoraAdapterGguf.BaseSha256Key),
            t => t.Name == "blk.1.ffn_up.weight.lora_a" ? (t.Name, [32, 4]) : (t.Name, [.. t.Dimensions]));
        var error = Assert.Throws<InvalidDataException>(() => GgufModel.Load(basePath, new GgufModelOptions { AdapterPath = bad }));
        Assert.Contains("blk.1.ffn_up.weight", error.Message);
        Assert.Contains("do not fit", error.Message);
    }

    [Fact]
    public void Other_files_and_half_pairs_are_refused_in_one_sentence()
    {
        using var dir = new TempDirectory();
        var (basePath, adapter) = Pair(dir);
        Assert.Contains("is not an adapter", Assert.Throws<InvalidDataException>(() => LoraAdapterGguf.Check(basePath, basePath)).Message);
        string half = Rewrite(adapter, dir.File("half.gguf"), m => m.Remove(LoraAdapterGguf.BaseSha256Key),
            t => t.Name == "blk.0.attn_v.weight.lora_b" ? null : (t.Name, [.. t.Dimensions]));
        Assert.Contains("blk.0.attn_v.weight.lora_a without its lora_b", Assert.Throws<InvalidDataException>(() => LoraAdapterGguf.Check(half, basePath)).Message);
        string qwen = LoraStudents.WriteBase(dir.File("qwen2.gguf"), ModelArchitecture.Qwen2);
        Assert.Contains("is for architecture 'llama', but the base", Assert.Throws<InvalidDataException>(() => LoraAdapterGguf.Check(adapter, qwen)).Message);
        string stray = Rewrite(adapter, dir.File("stray.gguf"), m => m.Remove(LoraAdapterGguf.BaseSha256Key),
            t => t.Name == "blk.0.attn_q.weight.lora_a" ? ("blk.9.attn_q.weight.lora_a", [.. t.Dimensions]) : t.Name == "blk.0.attn_q.weight.lora_b" ? ("blk.9.attn_q.weight.lora_b", [.. t.Dimensions]) : (t.Name, [.. t.Dimensions]));
        Assert.Contains("patches blk.9.attn_q.weight, which the base", Assert.Throws<InvalidDataException>(() => LoraAdapterGguf.Check(stray, basePath)).Message);
    }
}
