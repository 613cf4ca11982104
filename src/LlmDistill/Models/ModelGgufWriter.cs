using LlmDistill.Gguf;
using LlmDistill.Tokenization;

namespace LlmDistill.Models;

/// <summary>Produces the float data of one tensor (ggml order, ne0 fastest), called once per tensor at write time.</summary>
public delegate ReadOnlyMemory<float> TensorDataSource(ModelTensor tensor);

/// <summary>
/// Writes a Llama/Qwen2/Qwen3/Gemma3 model as a GGUF file llama.cpp loads: architecture metadata, the tokenizer, and the tensors
/// of <see cref="ModelTensors.For"/>. Tensor data is pulled from a <see cref="TensorDataSource"/> one tensor at a time
/// while the file is written, so peak memory is about one tensor (for Qwen2.5-0.5B, token_embd: 136M floats).
/// Matrices are stored as <c>matrixType</c> (F32, F16, BF16 or Q8_0); norms and biases always as F32.
/// </summary>
public static class ModelGgufWriter
{
    /// <summary>Builds the writer without writing, so callers can add metadata (e.g. provenance) first.</summary>
    public static GgufWriter Create(LlamaModelConfig config, TokenizerVocabulary vocabulary, TensorDataSource weights,
        GgmlType matrixType = GgmlType.F16, string name = "llmdistill")
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(weights);
        config.Validate();
        if (vocabulary.Count != config.VocabSize)
            throw new ArgumentException(
                $"The vocabulary has {vocabulary.Count} tokens but the model has {config.VocabSize} embedding rows; " +
                "llama.cpp needs them equal (pad the vocabulary with TokenizerVocabulary.PadTo).");
        uint fileType = matrixType switch
        {
            // llama_ftype values (llama.h): ALL_F32, MOSTLY_F16, MOSTLY_Q8_0, MOSTLY_BF16.
            GgmlType.F32 => 0,
            GgmlType.F16 => 1,
            GgmlType.Q8_0 => 7,
            GgmlType.BF16 => 32,
            _ => throw new NotSupportedException($"Matrices can be stored as F32, F16, BF16 or Q8_0, not {matrixType}."),
        };
        var tensors = ModelTensors.For(config);
        if (matrixType == GgmlType.Q8_0 && tensors.FirstOrDefault(t => t.Kind == ModelTensorKind.Matrix && t.Shape[0] % 32 != 0) is { } odd)
            throw new ArgumentException($"Q8_0 needs every matrix's input dimension to be a multiple of 32; {odd.Name} has {odd.Shape[0]}.");

        var writer = new GgufWriter();
        var m = writer.Metadata;
        string arch = config.ArchitectureName;
        m.SetString("general.architecture", arch);
        m.SetString("general.name", name);
        m.SetUInt32("general.file_type", fileType);
        m.SetUInt32($"{arch}.vocab_size", (uint)config.VocabSize);
        m.SetUInt32($"{arch}.context_length", (uint)config.ContextLength);
        m.SetUInt32($"{arch}.embedding_length", (uint)config.EmbeddingLength);
        m.SetUInt32($"{arch}.block_count", (uint)config.BlockCount);
        m.SetUInt32($"{arch}.feed_forward_length", (uint)config.FeedForwardLength);
        m.SetUInt32($"{arch}.attention.head_count", (uint)config.HeadCount);
        m.SetUInt32($"{arch}.attention.head_count_kv", (uint)config.HeadCountKv);
        if (config.HeadDim is not null)
        {
            m.SetUInt32($"{arch}.attention.key_length", (uint)config.HeadSize);
            m.SetUInt32($"{arch}.attention.value_length", (uint)config.HeadSize);
        }
        m.SetUInt32($"{arch}.rope.dimension_count", (uint)config.HeadSize);
        m.SetFloat32($"{arch}.rope.freq_base", config.RopeFreqBase);
        m.SetFloat32($"{arch}.attention.layer_norm_rms_epsilon", config.RmsNormEps);
        if (config.SlidingWindow is int window)
        {
            m.SetUInt32($"{arch}.attention.sliding_window", (uint)window);
            // llama.cpp 815a2a59 fixes the local base at 10000 and ignores this key; later builds read it.
            m.SetFloat32($"{arch}.rope.freq_base_swa", LlamaModelConfig.LocalRopeFreqBase);
        }
        TokenizerGgufMetadata.Write(vocabulary, m);

        foreach (var tensor in tensors)
        {
            var type = tensor.Kind == ModelTensorKind.Matrix ? matrixType : GgmlType.F32;
            writer.AddTensor(tensor.Name, tensor.Shape, type, () => weights(tensor));
        }
        return writer;
    }

    /// <summary>Writes the model to <paramref name="path"/> (atomically: a temporary file renamed into place).</summary>
    public static void Write(string path, LlamaModelConfig config, TokenizerVocabulary vocabulary, TensorDataSource weights,
        GgmlType matrixType = GgmlType.F16, string name = "llmdistill") =>
        Create(config, vocabulary, weights, matrixType, name).Write(path);
}
