using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Models;

/// <summary>What `llmdistill inspect model.gguf` shows: read by the managed GGUF reader, no llama.cpp involved.</summary>
public sealed record ModelFileSummary(
    string Path,
    long FileBytes,
    uint GgufVersion,
    string? Architecture,
    string? Name,
    long ParameterCount,
    int TensorCount,
    int? VocabularySize,
    string? TokenizerModel,
    string? TokenizerPre,
    long? ContextLength,
    string Quantization,
    IReadOnlyDictionary<string, long> TensorTypes,
    bool HasChatTemplate,
    IReadOnlyList<KeyValuePair<string, string>> Metadata)
{
    public static ModelFileSummary Read(string path)
    {
        using var file = GgufFile.Open(path);
        return Of(file, path);
    }

    /// <summary>The summary of a GGUF file already open (read from <paramref name="path"/>).</summary>
    public static ModelFileSummary Of(GgufFile file, string path)
    {
        var metadata = file.Metadata;
        metadata.TryGetString("general.architecture", out string? architecture);
        metadata.TryGetString("general.name", out string? name);
        metadata.TryGetString("tokenizer.ggml.model", out string? tokenizerModel);
        metadata.TryGetString("tokenizer.ggml.pre", out string? tokenizerPre);
        int? vocabulary = metadata.TryGetValue("tokenizer.ggml.tokens", out var tokens) ? tokens.Count : null;
        long? context = architecture is not null && metadata.TryGetValue($"{architecture}.context_length", out var ctx) && ctx.TryGetInteger(out var n) ? (long)n : null;

        // Elements per ggml type, to name the quantization when general.file_type is absent.
        var types = file.Tensors.GroupBy(t => t.Type.ToString()).ToDictionary(g => g.Key, g => g.Sum(t => t.ElementCount));
        return new ModelFileSummary(
            path, file.Length, file.Version, architecture, name,
            file.Tensors.Sum(t => t.ElementCount), file.Tensors.Count, vocabulary, tokenizerModel, tokenizerPre, context,
            NameQuantization(metadata, types), types,
            metadata.ContainsKey("tokenizer.chat_template"),
            metadata.Select(kv => KeyValuePair.Create(kv.Key, Show(kv.Value))).ToList());
    }

    /// <summary>general.file_type by llama.cpp's name (MOSTLY_Q8_0 → Q8_0), else the tensor type holding most weights.</summary>
    static string NameQuantization(GgufMetadata metadata, IReadOnlyDictionary<string, long> types)
    {
        if (metadata.TryGetValue("general.file_type", out var fileType) && fileType.TryGetInteger(out var code))
        {
            var ftype = (LlamaFtype)(int)code;
            string label = Enum.IsDefined(ftype) ? ftype.ToString().Replace("Mostly", "").Replace("AllF32", "F32") : $"file_type {code}";
            return label;
        }
        return types.Count == 0 ? "none" : types.MaxBy(t => t.Value).Key + " (guessed from tensor types)";
    }

    /// <summary>A value as one short line: strings quoted and cut, arrays as count, type and first elements.</summary>
    public static string Show(GgufValue value)
    {
        const int MaxText = 80, MaxElements = 6;
        if (!value.IsArray)
            return value.Type == GgufValueType.String ? Quote(value.AsString(), MaxText) : Convert.ToString(value.RawValue, System.Globalization.CultureInfo.InvariantCulture) ?? "";
        var elements = ((Array)value.RawValue).Cast<object>().Take(MaxElements)
            .Select(e => e is string s ? Quote(s, 24) : e is GgufValue inner ? Show(inner) : Convert.ToString(e, System.Globalization.CultureInfo.InvariantCulture));
        string more = value.Count > MaxElements ? ", …" : "";
        return $"[{value.Count} × {value.Describe()}] [{string.Join(", ", elements)}{more}]";
    }

    static string Quote(string text, int max)
    {
        string escaped = text.Replace("\\", "\\\\").Replace("\n", "\\n").Replace("\r", "\\r").Replace("\t", "\\t");
        return escaped.Length > max ? $"\"{escaped[..max]}…\" ({text.Length} chars)" : $"\"{escaped}\"";
    }
}
