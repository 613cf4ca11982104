using LlmDistill.Gguf;
using LlmDistill.Models;

namespace LlmDistill.Tokenization;

/// <summary>
/// Writes a vocabulary into the smallest model GGUF llama.cpp will load (a 2-layer Llama with 16-wide zero weights,
/// F16, tied embeddings), so llama.cpp's own tokenizer can be run on it: the reference for the rebuilt tokenizer.
/// The tokenizer keys are those of <see cref="TokenizerGgufMetadata"/>, as llama.cpp's converter writes them.
/// </summary>
internal static class VocabularyGguf
{
    public static void Write(string path, TokenizerVocabulary vocabulary)
    {
        var config = LlamaModelConfig.TinyLlama(vocabulary.Count) with
        {
            EmbeddingLength = 16, HeadCount = 2, HeadCountKv = 1, FeedForwardLength = 32, TiedEmbeddings = true,
        };
        ModelGgufWriter.Write(path, config, vocabulary, tensor => new float[checked((int)tensor.ElementCount)], GgmlType.F16, "llmdistill-vocabulary");
    }
}
