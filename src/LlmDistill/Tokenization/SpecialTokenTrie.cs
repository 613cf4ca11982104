namespace LlmDistill.Tokenization;

/// <summary>
/// The special-token texts as a character trie, to find in one pass over a text which of them occur in it at all.
/// llama.cpp searches the text once per special token (Gemma 3 has 6,415); the rebuild keeps that longest-first
/// order, which decides overlapping matches, but searches only for the tokens this pass found.
/// </summary>
internal sealed class SpecialTokenTrie
{
    readonly List<Dictionary<char, int>?> _children = [null];
    readonly List<int> _token = [-1]; // index into the texts given, or -1

    public SpecialTokenTrie(IReadOnlyList<string> texts)
    {
        for (int t = 0; t < texts.Count; t++)
        {
            int node = 0;
            foreach (char c in texts[t])
            {
                var children = _children[node] ??= [];
                if (!children.TryGetValue(c, out int next))
                {
                    next = _children.Count;
                    children.Add(c, next);
                    _children.Add(null);
                    _token.Add(-1);
                }
                node = next;
            }
            _token[node] = t;
        }
    }

    /// <summary>Marks in <paramref name="present"/> (one flag per text given) the texts that occur in <paramref name="text"/>.</summary>
    public void MarkPresent(ReadOnlySpan<char> text, bool[] present)
    {
        var root = _children[0];
        if (root is null) return;
        for (int i = 0; i < text.Length; i++)
        {
            if (!root.TryGetValue(text[i], out int node)) continue;
            for (int j = i + 1; ; j++)
            {
                if (_token[node] >= 0) present[_token[node]] = true;
                if (j == text.Length || _children[node] is not { } children || !children.TryGetValue(text[j], out node)) break;
            }
        }
    }
}
