namespace LlmDistill.Tokenization.Training;

/// <summary>
/// How often each pre-token ("word") occurs in a corpus, words written in the byte-level alphabet. Text is split
/// as llama.cpp will split it when tokenizing: control tokens are cut out first (they never take part in merges),
/// then each fragment goes through the vocabulary's llama.cpp pre-tokenizer, so no merge crosses a boundary that
/// tokenization will keep.
/// </summary>
internal static class WordFrequencies
{
    public static Dictionary<string, long> Count(IEnumerable<string> corpus, LlamaCppPreTokenizer preTokenizer, IReadOnlyList<string> controlTokens)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        string[] separators = controlTokens.ToArray();
        foreach (string text in corpus)
        {
            if (string.IsNullOrEmpty(text)) continue;
            foreach (string fragment in text.Split(separators, StringSplitOptions.None))
            {
                foreach (var (offset, length) in preTokenizer.Split(fragment))
                {
                    string word = ByteLevelAlphabet.Encode(fragment.AsSpan(offset, length));
                    counts[word] = counts.GetValueOrDefault(word) + 1;
                }
            }
        }
        return counts;
    }
}
