using System.Text.Json;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

/// <summary>
/// Each pre-tokenizer against llama.cpp's: GPT-4o's bytes and first 8,000 merges (rich enough that a word boundary in
/// a different place changes the ids: spaces, digit groups, CJK and punctuation runs all have merges) are written with
/// each <c>tokenizer.ggml.pre</c> name into a tiny GGUF, loaded in llama.cpp and compared on varied strings.
/// By default one name per group of names llama.cpp treats alike, on 1,000 strings; with
/// LLMDISTILL_TOKENIZER_ALL_PRES=1 every name, on LLMDISTILL_TOKENIZER_STRINGS strings (default 2,000).
/// </summary>
[Collection(RealVocabulariesCollection.Name)]
public class TestLlamaCppPreTokenizer(RealVocabulariesFixture vocabularies)
{
    static bool AllNames => Environment.GetEnvironmentVariable("LLMDISTILL_TOKENIZER_ALL_PRES") == "1";

    public static TheoryData<string> Names => new(AllNames
        ? LlamaCppPreTokenizer.SupportedNames
        : LlamaCppPreTokenizer.SupportedNames.GroupBy(LlamaCppPreTokenizer.GroupOf).Select(g => g.First()));

    /// <summary>
    /// Names llama.cpp v0.5.0 knows but the runtime's llama.cpp (LLamaSharp 0.30.0, commit 815a2a59, two months older)
    /// does not: it refuses such a GGUF, so only the managed side (a tokenizer.json) can use them; checked against v0.5.0.
    /// </summary>
    public static readonly string[] NewerThanRuntime = ["hy_v4", "spark2_5", "ufakzeka"];

    [Theory]
    [MemberData(nameof(Names))]
    public void Pre_tokenizer_gives_llama_cpp_ids(string pre)
    {
        var vocabulary = SmallerVocabulary(vocabularies.Get("gpt4o").Vocabulary, 8000) with { Pre = pre };
        using var folder = new TempDirectory();
        string path = folder.File("pre.gguf");
        VocabularyGguf.Write(path, vocabulary);
        if (NewerThanRuntime.Contains(pre))
        {
            // When the runtime learns the name, this fails: then drop it from the list so the ids are compared.
            var refused = Assert.Throws<LlmDistill.Native.LlamaException>(() => GgufModel.Load(path));
            Assert.Contains($"unknown pre-tokenizer type: '{pre}'", refused.Message);
            return;
        }
        using var llamaCpp = GgufModel.Load(path);
        var tokenizer = VocabularyTokenizer.Create(vocabulary);

        int count = AllNames && int.TryParse(Environment.GetEnvironmentVariable("LLMDISTILL_TOKENIZER_STRINGS"), out int n) ? n : AllNames ? 2000 : 1000;
        var mismatches = new List<string>();
        foreach (string text in TokenizerTestStrings.Create(count, ["<|endoftext|>"], seed: pre.Length))
        {
            int[] expected = llamaCpp.Vocab.Tokenize(text, addSpecial: true, parseSpecial: true);
            int[] actual = tokenizer.Encode(text, addSpecial: true, parseSpecial: true);
            if (!actual.AsSpan().SequenceEqual(expected))
                mismatches.Add($"{JsonSerializer.Serialize(text)}: llama.cpp [{string.Join(' ', expected)}] managed [{string.Join(' ', actual)}]");
        }
        Assert.True(mismatches.Count == 0, $"{pre}: {mismatches.Count} mismatches:\n" + string.Join('\n', mismatches.Take(8)));
    }

    /// <summary>The 256 byte tokens, the tokens of the first <paramref name="merges"/> merges, and &lt;|endoftext|&gt;.</summary>
    static TokenizerVocabulary SmallerVocabulary(TokenizerVocabulary full, int merges)
    {
        var tokens = Enumerable.Range(0, 256).Select(b => ByteLevelAlphabet.CharOf((byte)b).ToString()).ToList();
        var known = new HashSet<string>(tokens, StringComparer.Ordinal);
        var kept = new List<string>();
        foreach (string merge in full.Merges.Take(merges))
        {
            int space = merge.IndexOf(' ', 1);
            string left = merge[..space], right = merge[(space + 1)..];
            if (!known.Contains(left) || !known.Contains(right)) continue;
            kept.Add(merge);
            if (known.Add(left + right)) tokens.Add(left + right);
        }
        tokens.Add("<|endoftext|>");
        var types = tokens.Select((_, i) => i == tokens.Count - 1 ? TokenType.Control : TokenType.Normal).ToArray();
        return new TokenizerVocabulary
        {
            Model = TokenizerModelKind.Gpt2, Pre = full.Pre, Tokens = tokens.ToArray(), TokenTypes = types, Merges = kept.ToArray(),
            Special = new SpecialTokenIds(Bos: tokens.Count - 1, Eos: tokens.Count - 1, AddBos: true),
        };
    }
}
