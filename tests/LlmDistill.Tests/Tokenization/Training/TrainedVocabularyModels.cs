using LlmDistill.Demo.Arithmetic;
using LlmDistill.Models;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using LlmDistill.Tokenization.Training;

namespace LlmDistill.Tests.Tokenization.Training;

/// <summary>
/// Trained vocabularies carried by tiny random-weight models that llama.cpp loads: the demo's (default options on
/// the shipped task's training text) and a richer one (1024 tokens, digit merges, ChatML tokens, trained on mixed
/// problems plus probe text, so merges also cover whitespace runs, punctuation and multi-byte characters).
/// </summary>
public sealed class TrainedVocabularyModels : IDisposable
{
    readonly TempDirectory _folder = new();

    public sealed record Trained(string Name, TokenizerVocabulary Vocabulary, VocabularyTokenizer Tokenizer, GgufModel Model);

    public Trained Demo { get; }
    public Trained Rich { get; }

    public TrainedVocabularyModels()
    {
        Demo = Load("demo", new BpeTrainer().Train(TrainingCorpus.DemoTask()));
        var richCorpus = TrainingCorpus.DemoTask(3000, ArithmeticTaskOptions.Mixed, seed: 2).Concat(TrainingCorpus.Probes(3000, seed: 1));
        Rich = Load("rich", new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1024, MergeDigits = true, ChatTokens = true }).Train(richCorpus));
    }

    Trained Load(string name, TokenizerVocabulary vocabulary)
    {
        string path = _folder.File($"{name}.gguf");
        ModelGgufWriter.Write(path, LlamaModelConfig.TinyLlama(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 1), Gguf.GgmlType.F32, name);
        return new Trained(name, vocabulary, VocabularyTokenizer.Create(vocabulary), GgufModel.Load(path));
    }

    public void Dispose()
    {
        Demo.Model.Dispose();
        Rich.Model.Dispose();
        _folder.Dispose();
    }
}
