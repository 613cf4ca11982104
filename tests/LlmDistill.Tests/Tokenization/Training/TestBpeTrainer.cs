using System.Diagnostics;
using System.Text;
using LlmDistill.Demo.Arithmetic;
using LlmDistill.Tokenization;
using LlmDistill.Tokenization.Training;

namespace LlmDistill.Tests.Tokenization.Training;

public class TestBpeTrainer
{
    static readonly List<string> Corpus = TrainingCorpus.DemoTask();
    static readonly TokenizerVocabulary Demo = new BpeTrainer().Train(Corpus);

    [Fact]
    public void Merges_are_greedy_by_pair_count_with_ties_to_the_first_texts()
    {
        // Sennrich et al.'s example: low x5, lower x2, newest x6, widest x3 (one word per text, no spaces).
        var corpus = Enumerable.Repeat("low", 5).Concat(Enumerable.Repeat("lower", 2))
            .Concat(Enumerable.Repeat("newest", 6)).Concat(Enumerable.Repeat("widest", 3));
        var v = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 256 + 5 + 1 }).Train(corpus);
        // e s and s t both 9 (e first); l o, o w 7; then e w, n e, w est all 6 (e w first).
        Assert.Equal(["e s", "es t", "l o", "lo w", "e w"], v.Merges);
        Assert.Equal(["es", "est", "lo", "low", "ew", BpeTrainerOptions.DefaultEndOfText], v.Tokens[256..]);
    }

    [Fact]
    public void The_vocabulary_is_bytes_then_merges_then_control_tokens_with_gpt2_and_default_pre()
    {
        var v = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 400, MergeDigits = true, ChatTokens = true }).Train(Corpus);
        Assert.Equal(400, v.Count);
        Assert.Equal((TokenizerModelKind.Gpt2, PreTokenizerNames.Default), (v.Model, v.Pre));
        for (int b = 0; b < 256; b++) Assert.Equal(ByteLevelAlphabet.CharOf((byte)b).ToString(), v.Tokens[b]);
        Assert.Equal(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], v.Tokens[^3..]);
        Assert.All(v.TokenTypes[..^3], t => Assert.Equal(TokenType.Normal, t));
        Assert.All(v.TokenTypes[^3..], t => Assert.Equal(TokenType.Control, t));
        Assert.Equal(new SpecialTokenIds(Bos: 397, Eos: 397, Eot: 399, Pad: 397), v.Special);
        // every merge joins two tokens that exist before it, and makes a token
        var known = new HashSet<string>(v.Tokens[..256]);
        foreach (string merge in v.Merges)
        {
            string[] parts = merge.Split(' ');
            Assert.True(known.Contains(parts[0]) && known.Contains(parts[1]), merge);
            known.Add(parts[0] + parts[1]);
        }
        Assert.Equal(v.Tokens[..^3].ToHashSet(), known);
    }

    [Fact]
    public void Merges_cut_the_token_count_of_the_task_text_well_below_its_bytes()
    {
        var tokenizer = VocabularyTokenizer.Create(Demo);
        long bytes = Corpus.Sum(t => (long)Encoding.UTF8.GetByteCount(t));
        long tokens = Corpus.Sum(t => (long)tokenizer.Encode(t, addSpecial: false).Length);
        Assert.True(tokens < bytes * 0.6, $"{tokens} tokens for {bytes} bytes");
    }

    [Fact]
    public void Digits_stay_single_tokens_unless_digit_merges_are_asked_for()
    {
        static bool HasDigit(string token) => token.Any(char.IsAsciiDigit);
        Assert.DoesNotContain(Demo.Tokens[256..], t => HasDigit(t));
        var tokenizer = VocabularyTokenizer.Create(Demo);
        Assert.Equal(["1", "2", "3"], tokenizer.Encode("123", addSpecial: false).Select(id => Demo.Tokens[id]));

        var withDigits = new BpeTrainer(new BpeTrainerOptions { MergeDigits = true }).Train(Corpus);
        Assert.Contains(withDigits.Tokens[256..], t => HasDigit(t));
    }

    [Fact]
    public void Training_is_deterministic_and_independent_of_corpus_order()
    {
        var again = new BpeTrainer().Train(TrainingCorpus.DemoTask());
        var reversed = new BpeTrainer().Train(Enumerable.Reverse(Corpus));
        Assert.Equal(Demo, again);
        Assert.Equal(Demo, reversed);
        Assert.Equal(TokenizerFingerprint.Compute(Demo), TokenizerFingerprint.Compute(reversed));
    }

    [Fact]
    public void Control_tokens_in_the_corpus_take_no_part_in_merges()
    {
        var v = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 300 })
            .Train(Enumerable.Repeat("hello<|endoftext|>world<|endoftext|>", 50));
        Assert.DoesNotContain(v.Tokens[256..^1], t => t.Contains('|') || t.Contains('<'));
        Assert.Contains("hello", v.Tokens);
    }

    [Fact]
    public void Decoding_the_encoding_gives_back_any_text_including_bytes_the_corpus_never_had()
    {
        var tokenizer = VocabularyTokenizer.Create(Demo);
        foreach (string text in TrainingCorpus.Probes(2000, seed: 11))
        {
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecial: false)));
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addSpecial: false, parseSpecial: false)));
        }
    }

    [Fact]
    public void Stops_early_when_no_pair_is_frequent_enough()
    {
        var v = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1024 }).Train(["abc abc", "xyz"]);
        // "abc" and " abc" each once: no pair occurs twice except a b, b c (twice each)
        Assert.Equal(["a b", "ab c"], v.Merges);
        Assert.Equal(256 + 2 + 1, v.Count);
    }

    [Fact]
    public void Options_that_leave_no_room_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions { VocabularySize = 256 }));
        Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions { MinPairCount = 0 }));
        Assert.Throws<ArgumentException>(() => new BpeTrainer(new BpeTrainerOptions { ChatTokens = true, EndOfText = BpeTrainerOptions.ImEnd }));
    }

    [Fact]
    public void A_megabyte_of_text_trains_in_seconds()
    {
        var random = new Random(5);
        const string letters = "etaoinshrdlucmfwypvbgkjqxz";
        var lines = new List<string>();
        var line = new StringBuilder();
        for (long size = 0; size < 1_000_000;)
        {
            int length = 1 + random.Next(9);
            // skewed letter frequencies, so words repeat as in real text
            for (int i = 0; i < length; i++) line.Append(letters[(int)(26 * Math.Pow(random.NextDouble(), 2))]);
            line.Append(random.Next(12) == 0 ? ". " : " ");
            if (line.Length > 200)
            {
                size += line.Length;
                lines.Add(line.ToString());
                line.Clear();
            }
        }
        var clock = Stopwatch.StartNew();
        var v = new BpeTrainer(new BpeTrainerOptions { VocabularySize = 1024 }).Train(lines);
        Assert.Equal(1024, v.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed.TotalSeconds:F1} s (about 3 s on 2 cores)");
    }
}
