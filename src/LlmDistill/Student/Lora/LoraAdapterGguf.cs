using System.Globalization;
using LlmDistill.Gguf;
using LlmDistill.IO;
using static TorchSharp.torch;

namespace LlmDistill.Student.Lora;

/// <summary>
/// LoRA adapters as the GGUF file llama.cpp's <c>llama_adapter_lora_init</c> loads (and Ollama's ADAPTER, LM Studio):
/// <c>general.type = adapter</c>, <c>adapter.type = lora</c>, <c>adapter.lora.alpha</c>, and for each patched weight
/// <c>W</c> the tensors <c>W.lora_a</c> (ggml [in, r]) and <c>W.lora_b</c> (ggml [r, out]), F32. Provenance keys under
/// <c>llmdistill.lora.*</c> name the base (file name, SHA-256), rank and targets, so an adapter is refused on any other base.
/// </summary>
public static class LoraAdapterGguf
{
    public const string BaseSha256Key = "llmdistill.lora.base_sha256";
    public const string BaseFileKey = "llmdistill.lora.base_file";
    public const string RankKey = "llmdistill.lora.rank";
    public const string TargetsKey = "llmdistill.lora.targets";
    public const string MergedAlphaKey = "llmdistill.lora.alpha";
    public const string AlphaKey = "adapter.lora.alpha";

    /// <summary>Writes <paramref name="model"/>'s adapters to <paramref name="path"/> (atomically).</summary>
    public static void Write(StudentModel model, string path, string name = "llmdistill-adapter")
    {
        var lora = model.Lora ?? throw new InvalidOperationException("The student carries no adapters: it trained every weight, so export it as a whole model.");
        var writer = new GgufWriter();
        var m = writer.Metadata;
        m.SetString("general.architecture", model.Config.ArchitectureName);
        m.SetString("general.type", "adapter");
        m.SetString("general.name", name);
        m.SetString("adapter.type", "lora");
        m.SetFloat32(AlphaKey, (float)lora.Options.EffectiveAlpha);
        WriteProvenance(m, lora);
        foreach (var (tensorName, parameter) in model.LoraParameters())
        {
            long[] ggml = [.. parameter.shape.Reverse()]; // torch (rows, cols) is ggml [cols, rows]
            var source = parameter;
            writer.AddTensor(tensorName, ggml, GgmlType.F32, () =>
            {
                using var scope = NewDisposeScope();
                return source.detach().cpu().contiguous().data<float>().ToArray();
            });
        }
        writer.Write(path);
    }

    /// <summary>The base file and hash, rank and targets: in an adapter, and in a model merged from one.</summary>
    public static void WriteProvenance(GgufMetadata metadata, LoraBase lora)
    {
        metadata.SetString(BaseFileKey, Path.GetFileName(lora.BasePath));
        metadata.SetString(BaseSha256Key, lora.BaseSha256);
        metadata.SetUInt32(RankKey, (uint)lora.Options.Rank);
        metadata.SetStringArray(TargetsKey, [.. lora.Options.TargetList]);
    }

    /// <summary>Overwrites <paramref name="model"/>'s adapters (attached already, same targets and rank) with those in <paramref name="path"/>.</summary>
    public static void Load(StudentModel model, string path)
    {
        using var file = GgufFile.Open(path);
        var parameters = model.LoraParameters();
        var extra = file.Tensors.Select(t => t.Name).Where(n => !parameters.ContainsKey(n)).ToArray();
        if (extra.Length > 0)
            throw new InvalidDataException($"{path} holds adapter tensors the student does not have ({string.Join(", ", extra.Take(3))}); it was written for other targets or another model.");
        using var _ = no_grad();
        foreach (var (tensorName, parameter) in parameters)
        {
            if (!file.TryGetTensor(tensorName, out var info))
                throw new InvalidDataException($"{path} lacks adapter tensor {tensorName}.");
            long[] expected = [.. parameter.shape.Reverse()];
            if (!info.Dimensions.SequenceEqual(expected))
                throw new InvalidDataException($"{path}: {tensorName} has shape [{string.Join(", ", info.Dimensions)}]; the student expects [{string.Join(", ", expected)}].");
            using var values = tensor(file.DequantizeToFloat(info), parameter.shape);
            parameter.copy_(values);
        }
    }

    /// <summary>
    /// Everything llama.cpp would check, and what it would not (the base's content), done in managed code before it sees
    /// either file: an adapter GGUF, of the base's architecture, whose every <c>lora_a</c>/<c>lora_b</c> pair patches
    /// a base tensor of matching shape, and (when the adapter names it) the base whose SHA-256 it was trained on.
    /// Throws <see cref="InvalidDataException"/> with one sentence naming the file and the tensor or key.
    /// </summary>
    public static LoraAdapterInfo Check(string adapterPath, string basePath)
    {
        using var adapter = GgufFile.Open(adapterPath);
        using var baseFile = GgufFile.Open(basePath);
        var m = adapter.Metadata;
        string Fail(string what) => throw new InvalidDataException($"LoRA adapter {adapterPath} {what}.");
        if (!m.TryGetString("general.type", out string type) || type != "adapter")
            Fail($"is not an adapter: general.type is '{(m.ContainsKey("general.type") ? type : "missing")}', not 'adapter'");
        if (!m.TryGetString("adapter.type", out string adapterType) || adapterType != "lora")
            Fail($"has adapter.type '{adapterType ?? "missing"}'; only 'lora' adapters are supported");
        string arch = m.TryGetString("general.architecture", out string a) ? a : Fail("has no general.architecture");
        string baseArch = baseFile.Metadata.TryGetString("general.architecture", out string b) ? b : "missing";
        if (arch != baseArch) Fail($"is for architecture '{arch}', but the base {basePath} is '{baseArch}'");
        float alpha = m.TryGetFloat32(AlphaKey, out float al) ? al : 0; // llama.cpp: 0 means scale 1
        if (!float.IsFinite(alpha) || alpha < 0) Fail($"has {AlphaKey} = {alpha.ToString(CultureInfo.InvariantCulture)}; it must be a finite number ≥ 0");

        var pairs = new Dictionary<string, (GgufTensorInfo? A, GgufTensorInfo? B)>(StringComparer.Ordinal);
        foreach (var info in adapter.Tensors)
        {
            bool isA = info.Name.EndsWith(".lora_a", StringComparison.Ordinal), isB = info.Name.EndsWith(".lora_b", StringComparison.Ordinal);
            if (!isA && !isB) Fail($"holds tensor {info.Name}, which is neither a .lora_a nor a .lora_b matrix");
            if (info.Dimensions.Count != 2) Fail($"tensor {info.Name} has {info.Dimensions.Count} dimensions; adapter matrices have 2");
            string target = info.Name[..^".lora_a".Length];
            var pair = pairs.GetValueOrDefault(target);
            pairs[target] = isA ? pair with { A = info } : pair with { B = info };
        }
        if (pairs.Count == 0) Fail("holds no adapter tensors");
        int? rank = null;
        foreach (var (target, (lora_a, lora_b)) in pairs)
        {
            if (lora_a is null || lora_b is null) Fail($"has {target}.{(lora_a is null ? "lora_b" : "lora_a")} without its {(lora_a is null ? "lora_a" : "lora_b")}");
            if (!baseFile.TryGetTensor(target, out var weight))
                Fail($"patches {target}, which the base {basePath} does not have");
            if (weight.Dimensions.Count != 2) Fail($"patches {target}, which is not a matrix in the base");
            long inputs = weight.Dimensions[0], outputs = weight.Dimensions[1];
            if (lora_a!.Dimensions[0] != inputs || lora_b!.Dimensions[1] != outputs || lora_a.Dimensions[1] != lora_b.Dimensions[0])
                Fail($"has {target} adapters of shapes [{string.Join(", ", lora_a.Dimensions)}] and [{string.Join(", ", lora_b!.Dimensions)}], which do not fit the base's [{inputs}, {outputs}] (expected [{inputs}, r] and [r, {outputs}])");
            rank ??= (int)lora_a.Dimensions[1];
        }
        string? sha = m.TryGetString(BaseSha256Key, out string s) ? s : null;
        if (sha is not null)
        {
            string actual = FileHash.Sha256(basePath);
            if (!string.Equals(actual, sha, StringComparison.OrdinalIgnoreCase))
                Fail($"was trained on another base ({(m.TryGetString(BaseFileKey, out string f) ? f : "unnamed")}, sha256 {sha[..Math.Min(12, sha.Length)]}…); {basePath} has sha256 {actual[..12]}…");
        }
        return new LoraAdapterInfo(Path.GetFullPath(adapterPath), arch, rank!.Value, alpha, pairs.Count, sha);
    }
}

/// <summary>What <see cref="LoraAdapterGguf.Check"/> found: the adapter's rank, α, how many matrices it patches, and the base SHA-256 it names (if any).</summary>
public sealed record LoraAdapterInfo(string Path, string Architecture, int Rank, float Alpha, int PatchedMatrices, string? BaseSha256);
