namespace LlmDistill.Tokenization.Training;

/// <summary>
/// Trains a byte-level BPE vocabulary that llama.cpp loads as <c>tokenizer.ggml.model = gpt2</c>,
/// <c>tokenizer.ggml.pre = default</c>, and that <see cref="VocabularyTokenizer"/> rebuilds with the same ids.
/// Starts from the 256 byte tokens (id = byte value, GPT-2's byte-to-unicode spelling), counts adjacent pairs
/// within the words llama.cpp's <c>default</c> pre-tokenizer makes, and repeatedly merges the most frequent pair.
/// Ties go to the pair whose (left, right) token texts sort first (ordinal), so the result depends only on the
/// corpus's word counts and the options, not on corpus order or hashing.
/// </summary>
public sealed class BpeTrainer(BpeTrainerOptions? options = null)
{
    public BpeTrainerOptions Options { get; } = (options ?? new()).Validate();

    public TokenizerVocabulary Train(IEnumerable<string> corpus)
    {
        var preTokenizer = LlamaCppPreTokenizer.ForName(PreTokenizerNames.Default);
        var words = WordFrequencies.Count(corpus, preTokenizer, Options.ControlTokens);

        var tokens = new List<string>(Options.VocabularySize);
        for (int b = 0; b < 256; b++) tokens.Add(ByteLevelAlphabet.CharOf((byte)b).ToString());
        var ids = tokens.Select((t, id) => (t, id)).ToDictionary(x => x.t, x => x.id, StringComparer.Ordinal);

        bool Mergeable(int id) => Options.MergeDigits || id >= 256 || id is < '0' or > '9';
        var statistics = new PairStatistics(
            words.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => (w.Key.Select(c => ids[c.ToString()]).ToArray(), w.Value)),
            Mergeable);

        var queue = new PriorityQueue<(int Left, int Right), (long Count, int Left, int Right)>(new MergePriority(tokens));
        foreach (var (pair, count) in statistics.Pairs) queue.Enqueue(pair, (count, pair.Left, pair.Right));

        var merges = new List<string>();
        int normalTarget = Options.VocabularySize - Options.ControlTokens.Count;
        while (tokens.Count < normalTarget && queue.TryDequeue(out var pair, out var queued))
        {
            long count = statistics.CountOf(pair);
            if (count != queued.Count)
            {
                // Counts only fall after a pair is queued; requeue at its true count so the order stays exact.
                if (count > 0) queue.Enqueue(pair, (count, pair.Left, pair.Right));
                continue;
            }
            if (count < Options.MinPairCount) break;

            string text = tokens[pair.Left] + tokens[pair.Right];
            // Different pairs can spell the same token ("ab"+"c", "a"+"bc"): one id, one merge rule each.
            if (!ids.TryGetValue(text, out int merged))
            {
                merged = tokens.Count;
                tokens.Add(text);
                ids[text] = merged;
            }
            merges.Add($"{tokens[pair.Left]} {tokens[pair.Right]}");
            foreach (var gained in statistics.Merge(pair, merged))
                queue.Enqueue(gained, (statistics.CountOf(gained), gained.Left, gained.Right));
        }
        return Build(tokens, merges);
    }

    TokenizerVocabulary Build(List<string> normalTokens, List<string> merges)
    {
        int endOfText = normalTokens.Count;
        var tokens = normalTokens.Concat(Options.ControlTokens).ToArray();
        var types = new TokenType[tokens.Length];
        Array.Fill(types, TokenType.Normal, 0, endOfText);
        Array.Fill(types, TokenType.Control, endOfText, Options.ControlTokens.Count);
        int endOfTurn = Options.ChatTokens ? endOfText + 2 : endOfText;
        return new TokenizerVocabulary
        {
            Model = TokenizerModelKind.Gpt2,
            Pre = PreTokenizerNames.Default,
            Tokens = tokens,
            TokenTypes = types,
            Merges = merges.ToArray(),
            Special = new SpecialTokenIds(Bos: endOfText, Eos: endOfText, Eot: endOfTurn, Pad: endOfText),
        }.Validate();
    }

    /// <summary>Higher count first; on equal counts, the pair whose left then right token text sorts first.</summary>
    sealed class MergePriority(List<string> tokens) : IComparer<(long Count, int Left, int Right)>
    {
        public int Compare((long Count, int Left, int Right) x, (long Count, int Left, int Right) y)
        {
            int byCount = y.Count.CompareTo(x.Count);
            if (byCount != 0) return byCount;
            int byLeft = string.CompareOrdinal(tokens[x.Left], tokens[y.Left]);
            return byLeft != 0 ? byLeft : string.CompareOrdinal(tokens[x.Right], tokens[y.Right]);
        }
    }
}
