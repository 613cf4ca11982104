using LlmDistill.Models;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Two tiny random-weight teachers written by the project's own GGUF writer with Qwen3's real vocabulary — a Llama
/// (separate output matrix) and a Qwen2 (q/k/v biases, tied embeddings) — loaded once in llama.cpp for all tests.
/// Weights have std 0.3 so next-token distributions are peaked enough to look like a model's, not uniform.
/// </summary>
public sealed class TinyTeacherFixture : IDisposable
{
    readonly TempDirectory _folder = new();

    public TokenizerVocabulary Vocabulary { get; }
    public string LlamaPath { get; }
    public string Qwen2Path { get; }
    public GgufModel Llama { get; }
    public GgufModel Qwen2 { get; }

    public TinyTeacherFixture()
    {
        Vocabulary = HuggingFaceTokenizerImport.Load(Qwen3VocabularyFixture.TokenizerJson, Qwen3VocabularyFixture.TokenizerConfigJson);
        LlamaPath = _folder.File("tiny-llama.gguf");
        Qwen2Path = _folder.File("tiny-qwen2.gguf");
        ModelGgufWriter.Write(LlamaPath, LlamaModelConfig.TinyLlama(Vocabulary.Count), Vocabulary, RandomLlamaWeights.Create(seed: 1, std: 0.3f), Gguf.GgmlType.F32, "tiny-llama");
        ModelGgufWriter.Write(Qwen2Path, LlamaModelConfig.TinyQwen2(Vocabulary.Count), Vocabulary, RandomLlamaWeights.Create(seed: 2, std: 0.3f), Gguf.GgmlType.F16, "tiny-qwen2");
        Llama = GgufModel.Load(LlamaPath);
        Qwen2 = GgufModel.Load(Qwen2Path);
    }

    /// <summary>Prompts of different lengths (so sequences start and finish at different steps).</summary>
    public int[][] Prompts(GgufModel teacher, int count) =>
        Enumerable.Range(0, count).Select(i => teacher.Tokenize($"Question {i}: " + string.Concat(Enumerable.Repeat("how many apples are left? ", 1 + i % 4)), addSpecial: false)).ToArray();

    public void Dispose()
    {
        Llama.Dispose();
        Qwen2.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class TinyTeacherCollection : ICollectionFixture<TinyTeacherFixture>
{
    public const string Name = "tiny teachers";
}
