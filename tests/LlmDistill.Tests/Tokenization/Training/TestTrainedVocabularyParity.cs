using System.Text;
using System.Text.Json;
using LlmDistill.Demo.Arithmetic;
using LlmDistill.Tokenization.Training;

namespace LlmDistill.Tests.Tokenization.Training;

/// <summary>
/// A trained vocabulary written into GGUF tokenizes in libllama exactly as <c>VocabularyTokenizer</c> (the
/// Microsoft.ML.Tokenizers rebuild) does, on task text and on text the trainer never saw.
/// </summary>
public class TestTrainedVocabularyParity(TrainedVocabularyModels models) : IClassFixture<TrainedVocabularyModels>
{
    static readonly string[] EdgeCases =
    [
        "", " ", "  ", "\n", "\n\n\n", "\t \t", " \n ", "   x", "x   ", "x \n\n y", "\r\n\r\n", "0", "00000", "1234567890",
        "123 4567 89012", "3.14", "1,000", "#### 36", "4*7=28. 23+28=51. 51-15=36.\n#### 36", "<|endoftext|>",
        "a<|endoftext|>b", "<|im_start|>user\nhi<|im_end|>", "<|endoftext", "😀😀", "naïve café", "日本語のテキスト",
    ];

    public static TheoryData<string> Vocabularies => ["demo", "rich"];

    TrainedVocabularyModels.Trained Pick(string name) => name == "demo" ? models.Demo : models.Rich;

    /// <summary>About 3000 strings: held-out and mixed task text, edge cases, random fragments, numbers and code points.</summary>
    static List<string> Strings()
    {
        var heldOut = new ArithmeticTask().Splits(ArithmeticTask.ShippedSeed, 0, 500).HeldOut;
        var mixed = new ArithmeticTask(ArithmeticTaskOptions.Mixed).Generate(seed: 9, count: 250);
        return heldOut.SelectMany(p => new[] { p.Question, p.GoldAnswer, p.Question + "\n" + p.GoldAnswer + "<|endoftext|>" })
            .Concat(mixed.SelectMany(p => new[] { p.Question, p.GoldAnswer }))
            .Concat(EdgeCases)
            .Concat(TrainingCorpus.Probes(1000, seed: 2))
            .ToList();
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Libllama_gives_the_same_ids_as_the_rebuilt_tokenizer(string vocabulary)
    {
        var trained = Pick(vocabulary);
        var strings = Strings();
        Assert.True(strings.Count >= 3000, $"only {strings.Count} strings");
        var mismatches = new List<string>();
        foreach (string text in strings)
        {
            foreach (bool parseSpecial in new[] { true, false })
            {
                int[] expected = trained.Model.Vocab.Tokenize(text, addSpecial: true, parseSpecial);
                int[] actual = trained.Tokenizer.Encode(text, addSpecial: true, parseSpecial);
                if (!expected.SequenceEqual(actual))
                    mismatches.Add($"(parse_special={parseSpecial}) {JsonSerializer.Serialize(text)}: llama.cpp [{string.Join(' ', expected)}] rebuilt [{string.Join(' ', actual)}]");
            }
        }
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} mismatches:\n" + string.Join('\n', mismatches.Take(20)));
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Libllama_pieces_of_the_ids_spell_the_text_back(string vocabulary)
    {
        var trained = Pick(vocabulary);
        foreach (string text in Strings().Take(1500))
        {
            var bytes = new List<byte>();
            foreach (int id in trained.Tokenizer.Encode(text, addSpecial: false)) bytes.AddRange(trained.Model.Vocab.TokenToPiece(id, special: true));
            Assert.Equal(text, Encoding.UTF8.GetString(bytes.ToArray()));
        }
    }

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Libllama_reads_the_size_and_the_end_of_text_token(string vocabulary)
    {
        var trained = Pick(vocabulary);
        var vocab = trained.Model.Vocab;
        int endOfText = trained.Vocabulary.Special.Eos!.Value;
        Assert.Equal(trained.Vocabulary.Count, vocab.Count);
        Assert.Equal(endOfText, vocab.Eos);
        Assert.Equal(BpeTrainerOptions.DefaultEndOfText, trained.Vocabulary.Tokens[endOfText]);
        Assert.True(vocab.IsControl(endOfText));
        Assert.True(vocab.IsEog(endOfText));
        Assert.False(vocab.AddsBos);
        Assert.Equal([endOfText], trained.Model.Tokenize(BpeTrainerOptions.DefaultEndOfText));
    }

    [Fact]
    public void The_rich_vocabulary_has_merges_of_every_kind_the_parity_strings_exercise()
    {
        var v = models.Rich.Vocabulary;
        var merged = v.Tokens[256..^3].Select(t => models.Rich.Tokenizer.Decode([v.IdOf(t)!.Value])).ToList();
        Assert.Equal(1024, v.Count);
        Assert.Contains(merged, t => t.Length > 1 && t.All(char.IsAsciiDigit));
        Assert.Contains(merged, t => t.Length > 1 && t.All(char.IsWhiteSpace));
        Assert.Contains(merged, t => t.Any(c => c > 0x7F) && !t.Contains('\uFFFD'));
        Assert.Contains(merged, t => t.Length > 1 && t.All(char.IsPunctuation));
    }
}
