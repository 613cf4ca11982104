namespace LlmDistill.Tokenization.Training;

/// <summary>
/// The words of a corpus as token-id sequences, with how often each adjacent pair occurs (weighted by word
/// frequency) and which words hold it. <see cref="Merge"/> rewrites only the words that hold the merged pair and
/// updates the counts of the pairs those words gain or lose, so a merge costs time in proportion to the words it
/// touches, not to the corpus.
/// </summary>
internal sealed class PairStatistics
{
    readonly int[][] _words;
    readonly long[] _frequencies;
    readonly Func<int, bool> _mergeable;
    readonly Dictionary<(int Left, int Right), long> _counts = new();
    // Words that held the pair when it was last counted; a word may have lost it since (checked on merge).
    readonly Dictionary<(int Left, int Right), HashSet<int>> _holders = new();

    /// <param name="words">Each distinct word's token ids and its frequency.</param>
    /// <param name="mergeable">Whether a token may take part in a merge (pairs with other tokens are not counted).</param>
    public PairStatistics(IEnumerable<(int[] Ids, long Frequency)> words, Func<int, bool> mergeable)
    {
        var list = words.ToList();
        _words = list.Select(w => w.Ids).ToArray();
        _frequencies = list.Select(w => w.Frequency).ToArray();
        _mergeable = mergeable;
        for (int w = 0; w < _words.Length; w++) AddPairs(w, +1);
    }

    /// <summary>Every pair counted so far with its count (for seeding the merge queue).</summary>
    public IEnumerable<((int Left, int Right) Pair, long Count)> Pairs => _counts.Select(kv => (kv.Key, kv.Value));

    public long CountOf((int Left, int Right) pair) => _counts.GetValueOrDefault(pair);

    /// <summary>
    /// Replaces every occurrence of <paramref name="pair"/> (left to right, non-overlapping) by <paramref name="merged"/>
    /// and returns the pairs that gained occurrences (all contain <paramref name="merged"/>), in first-seen order.
    /// Other pairs can only lose occurrences.
    /// </summary>
    public List<(int Left, int Right)> Merge((int Left, int Right) pair, int merged)
    {
        var gained = new List<(int Left, int Right)>();
        if (!_holders.Remove(pair, out var holders)) return gained;
        var seen = new HashSet<(int Left, int Right)>();
        foreach (int w in holders.Order())
        {
            int[] word = _words[w];
            if (!Holds(word, pair)) continue;
            AddPairs(w, -1);
            _words[w] = word = Replace(word, pair, merged);
            AddPairs(w, +1);
            for (int i = 0; i + 1 < word.Length; i++)
            {
                var p = (word[i], word[i + 1]);
                if ((p.Item1 == merged || p.Item2 == merged) && _counts.ContainsKey(p) && seen.Add(p)) gained.Add(p);
            }
        }
        _counts.Remove(pair);
        return gained;
    }

    static bool Holds(int[] word, (int Left, int Right) pair)
    {
        for (int i = 0; i + 1 < word.Length; i++)
            if (word[i] == pair.Left && word[i + 1] == pair.Right) return true;
        return false;
    }

    static int[] Replace(int[] word, (int Left, int Right) pair, int merged)
    {
        var result = new List<int>(word.Length);
        for (int i = 0; i < word.Length; i++)
        {
            if (i + 1 < word.Length && word[i] == pair.Left && word[i + 1] == pair.Right)
            {
                result.Add(merged);
                i++;
            }
            else result.Add(word[i]);
        }
        return result.ToArray();
    }

    /// <summary>Adds (sign +1) or removes (-1) word <paramref name="w"/>'s pairs, weighted by its frequency.</summary>
    void AddPairs(int w, int sign)
    {
        int[] word = _words[w];
        long weight = sign * _frequencies[w];
        for (int i = 0; i + 1 < word.Length; i++)
        {
            if (!_mergeable(word[i]) || !_mergeable(word[i + 1])) continue;
            var pair = (word[i], word[i + 1]);
            long count = _counts.GetValueOrDefault(pair) + weight;
            if (count == 0) _counts.Remove(pair);
            else _counts[pair] = count;
            if (sign <= 0) continue;
            if (!_holders.TryGetValue(pair, out var holders)) _holders[pair] = holders = [];
            holders.Add(w);
        }
    }
}
