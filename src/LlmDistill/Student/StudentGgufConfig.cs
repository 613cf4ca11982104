using LlmDistill.Gguf;
using LlmDistill.Models;

namespace LlmDistill.Student;

/// <summary>
/// Reads a <see cref="LlamaModelConfig"/> back from the metadata and tensor table of a <c>llama</c>, <c>qwen2</c>, <c>qwen3</c> or <c>gemma3</c> GGUF:
/// the keys <see cref="ModelGgufWriter"/> writes, plus what only the tensors say (biases present, output tied).
/// Features the student does not implement (RoPE scaling, partial RoPE, extra tensors) are refused, not ignored.
/// </summary>
internal static class StudentGgufConfig
{
    public static LlamaModelConfig Read(GgufFile file)
    {
        var m = file.Metadata;
        string arch = m.GetString("general.architecture");
        var architecture = LlamaModelConfig.ParseArchitecture(arch)
            ?? throw new NotSupportedException($"{file.Path}: architecture '{arch}' is not one the student implements (llama, qwen2, qwen3, gemma3).");
        int heads = m.GetInt32($"{arch}.attention.head_count");
        int embedding = m.GetInt32($"{arch}.embedding_length");
        int? headDim = m.TryGetInt32($"{arch}.attention.key_length", out int keyLength) ? keyLength : null;
        if (m.TryGetInt32($"{arch}.attention.value_length", out int valueLength) && valueLength != (headDim ?? embedding / heads))
            throw new NotSupportedException($"{file.Path}: value heads of {valueLength} differ from key heads; the student needs them equal.");
        if (m.TryGetString($"{arch}.rope.scaling.type", out string scaling) && scaling != "none")
            throw new NotSupportedException($"{file.Path}: RoPE scaling '{scaling}' is not implemented by the student.");
        int? window = null;
        if (architecture == ModelArchitecture.Gemma3)
        {
            window = m.TryGetInt32($"{arch}.attention.sliding_window", out int w) ? w
                : throw new NotSupportedException($"{file.Path}: a gemma3 GGUF without {arch}.attention.sliding_window is not one the student implements (llama.cpp 815a2a59 needs it too).");
            if (m.TryGetFloat32($"{arch}.rope.freq_base_swa", out float localBase) && localBase != LlamaModelConfig.LocalRopeFreqBase)
                throw new NotSupportedException($"{file.Path}: local RoPE base {localBase} differs from the {LlamaModelConfig.LocalRopeFreqBase} that llama.cpp 815a2a59 uses for gemma3's sliding-window blocks.");
            if (m.TryGetInt32($"{arch}.attention.sliding_window_pattern", out int pattern) && pattern != LlamaModelConfig.SlidingWindowPattern)
                throw new NotSupportedException($"{file.Path}: a sliding-window pattern of {pattern} differs from gemma3's {LlamaModelConfig.SlidingWindowPattern} that the student implements.");
            foreach (string capping in new[] { "final_logit_softcapping", "attn_logit_softcapping" })
                if (m.TryGetFloat32($"{arch}.{capping}", out float cap) && cap != 0)
                    throw new NotSupportedException($"{file.Path}: {arch}.{capping} = {cap} is not implemented by the student (Gemma 3 itself does not cap).");
        }

        var config = new LlamaModelConfig
        {
            Architecture = architecture,
            VocabSize = checked((int)file.GetTensor(ModelTensors.TokenEmbedding).Dimensions[1]),
            EmbeddingLength = embedding,
            BlockCount = m.GetInt32($"{arch}.block_count"),
            HeadCount = heads,
            HeadCountKv = m.TryGetInt32($"{arch}.attention.head_count_kv", out int kvHeads) ? kvHeads : heads,
            HeadDim = headDim == embedding / heads ? null : headDim,
            FeedForwardLength = m.GetInt32($"{arch}.feed_forward_length"),
            ContextLength = m.GetInt32($"{arch}.context_length"),
            // rope.freq_base is optional in llama.cpp (default 10000).
            RopeFreqBase = m.TryGetFloat32($"{arch}.rope.freq_base", out float freqBase) ? freqBase : 10000f,
            RmsNormEps = m.GetFloat32($"{arch}.attention.layer_norm_rms_epsilon"),
            AttentionBias = file.TryGetTensor(ModelTensors.Block(0, "attn_q.bias"), out _),
            TiedEmbeddings = !file.TryGetTensor(ModelTensors.Output, out _),
            SlidingWindow = window,
            RopeFreqFactors = architecture == ModelArchitecture.Llama && file.TryGetTensor(ModelTensors.RopeFreqs, out _),
        }.Validate();

        if (m.TryGetInt32($"{arch}.rope.dimension_count", out int ropeDims) && ropeDims != config.HeadSize)
            throw new NotSupportedException($"{file.Path}: RoPE over {ropeDims} of {config.HeadSize} head channels is not implemented by the student.");
        var expected = ModelTensors.For(config).Select(t => t.Name).ToHashSet();
        if (file.Tensors.FirstOrDefault(t => !expected.Contains(t.Name)) is { } extra)
            throw new NotSupportedException($"{file.Path}: tensor {extra.Name} has no place in the student (it implements {arch} without extras such as output biases).");
        return config;
    }
}
