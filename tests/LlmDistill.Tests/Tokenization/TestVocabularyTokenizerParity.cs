using System.Text.Json;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

/// <summary>
/// The rebuilt tokenizer against llama.cpp's llama_tokenize on the same GGUF, for each real vocabulary, on 2,000
/// varied strings (LLMDISTILL_TOKENIZER_STRINGS raises the count), with special-token parsing on and off, and with
/// BOS/EOS added on every tenth string.
/// </summary>
[Collection(RealVocabulariesCollection.Name)]
public class TestVocabularyTokenizerParity(RealVocabulariesFixture vocabularies)
{
    static int StringCount => int.TryParse(Environment.GetEnvironmentVariable("LLMDISTILL_TOKENIZER_STRINGS"), out int n) ? n : 2000;

    public static TheoryData<string> Names => new(RealVocabulariesFixture.Names);

    [Theory]
    [MemberData(nameof(Names))]
    public void Managed_ids_equal_llama_cpp_ids_on_varied_strings(string name)
    {
        var v = vocabularies.Get(name);
        var strings = TokenizerTestStrings.Create(StringCount, RealVocabulariesFixture.SpecialTexts(v.Vocabulary));
        Assert.True(strings.Count >= 2000);
        var mismatches = new List<string>();
        for (int i = 0; i < strings.Count; i++)
        {
            string text = strings[i];
            foreach (var (addSpecial, parseSpecial) in i % 10 == 0 ? [(false, true), (false, false), (true, true)] : new[] { (false, true), (false, false) })
            {
                int[] expected = v.LlamaCpp.Vocab.Tokenize(text, addSpecial, parseSpecial);
                int[] actual = v.Tokenizer.Encode(text, addSpecial, parseSpecial);
                if (!actual.AsSpan().SequenceEqual(expected))
                    mismatches.Add($"(add_special={addSpecial}, parse_special={parseSpecial}) {JsonSerializer.Serialize(text)}: llama.cpp [{string.Join(' ', expected)}] managed [{string.Join(' ', actual)}]");
            }
        }
        Assert.True(mismatches.Count == 0, $"{name}: {mismatches.Count} mismatches:\n" + string.Join('\n', mismatches.Take(10)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Decoding_the_ids_gives_back_the_text(string name)
    {
        var v = vocabularies.Get(name);
        var specials = RealVocabulariesFixture.SpecialTexts(v.Vocabulary);
        var strings = TokenizerTestStrings.Create(StringCount, specials);
        // With BOS/EOS added and not rendered, text holding special-token text cannot come back (those are dropped too).
        var wrong = strings.Where(s => v.Tokenizer.Decode(v.Tokenizer.Encode(s, addSpecial: false)) != s
                                    || (!specials.Any(s.Contains) && v.Tokenizer.Decode(v.Tokenizer.Encode(s, addSpecial: true), renderSpecial: false) != s))
            .Take(10).Select(s => JsonSerializer.Serialize(s)).ToList();
        Assert.True(wrong.Count == 0, $"{name}: no round trip for\n" + string.Join('\n', wrong));
    }
}
