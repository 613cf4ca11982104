using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

[Collection(Qwen3VocabularyCollection.Name)]
public class TestTokenizerFingerprint(Qwen3VocabularyFixture qwen3)
{
    [Fact]
    public void Fingerprint_is_64_hex_digits_and_stable_across_imports()
    {
        string first = TokenizerFingerprint.Compute(qwen3.Vocabulary);
        var again = HuggingFaceTokenizerImport.Load(Qwen3VocabularyFixture.TokenizerJson, Qwen3VocabularyFixture.TokenizerConfigJson);
        Assert.Matches("^[0-9a-f]{64}$", first);
        Assert.Equal(first, TokenizerFingerprint.Compute(again));
    }

    [Fact]
    public void Small_vocabulary_fingerprint_is_pinned()
    {
        // Pinned so an accidental change of the canonical encoding (or of the small vocabulary) is noticed. The value
        // was computed by a separate script that follows the encoding documented on TokenizerFingerprint.
        Assert.Equal("2868c7df24f94e8d46146bba78629a19e0d32fb768d08bf1870e98c547abc139", TokenizerFingerprint.Compute(SmallByteLevelVocabulary.Create()));
    }

    [Fact]
    public void Changing_one_merge_changes_the_fingerprint()
    {
        var v = qwen3.Vocabulary;
        var merges = (string[])v.Merges.Clone();
        (merges[1000], merges[1001]) = (merges[1001], merges[1000]);
        Assert.NotEqual(TokenizerFingerprint.Compute(v), TokenizerFingerprint.Compute(v with { Merges = merges }));
    }

    [Fact]
    public void Changing_a_special_id_type_or_pre_changes_the_fingerprint()
    {
        var v = SmallByteLevelVocabulary.Create();
        string original = TokenizerFingerprint.Compute(v);
        var types = (TokenType[])v.TokenTypes.Clone();
        types[5] = TokenType.UserDefined;
        Assert.NotEqual(original, TokenizerFingerprint.Compute(v with { Special = v.Special with { Eot = null } }));
        Assert.NotEqual(original, TokenizerFingerprint.Compute(v with { TokenTypes = types }));
        Assert.NotEqual(original, TokenizerFingerprint.Compute(v with { Pre = "gpt-2" }));
        Assert.Equal(original, TokenizerFingerprint.Compute(v with { ChatTemplate = "{{ messages }}" }));
    }
}
