using System.Text;

namespace LlmDistill.Generation;

/// <summary>
/// Keeps synthetic questions that are new: not an exact duplicate after normalisation (case, punctuation,
/// whitespace), and not a near duplicate of any kept or seed question — Jaccard similarity of word 3-shingles at or
/// above <see cref="NearDuplicateThreshold"/> (short questions fall back to word sets).
/// </summary>
internal sealed class QuestionDeduplicator(double nearDuplicateThreshold = 0.7)
{
    readonly HashSet<string> _exact = [];
    readonly List<HashSet<string>> _shingles = [];

    public double NearDuplicateThreshold { get; } = nearDuplicateThreshold;
    public int ExactDuplicates { get; private set; }
    public int NearDuplicates { get; private set; }

    /// <summary>Registers a question that must not be repeated (a seed) without counting it as kept.</summary>
    public void Remember(string question)
    {
        string normal = Normalize(question);
        _exact.Add(normal);
        _shingles.Add(Shingles(normal));
    }

    /// <summary>True when the question is new; it is then remembered.</summary>
    public bool TryAdd(string question)
    {
        string normal = Normalize(question);
        if (normal.Length == 0 || _exact.Contains(normal)) { ExactDuplicates++; return false; }
        var shingles = Shingles(normal);
        if (_shingles.Any(other => Jaccard(shingles, other) >= NearDuplicateThreshold)) { NearDuplicates++; return false; }
        _exact.Add(normal);
        _shingles.Add(shingles);
        return true;
    }

    /// <summary>Lower case, letters and digits only, single spaces.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        bool space = false;
        foreach (char c in text.ToLowerInvariant())
        {
            if (char.IsLetterOrDigit(c)) { if (space && builder.Length > 0) builder.Append(' '); builder.Append(c); space = false; }
            else space = true;
        }
        return builder.ToString();
    }

    static HashSet<string> Shingles(string normal)
    {
        string[] words = normal.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3) return [.. words];
        var set = new HashSet<string>();
        for (int i = 0; i + 3 <= words.Length; i++) set.Add($"{words[i]} {words[i + 1]} {words[i + 2]}");
        return set;
    }

    static double Jaccard(HashSet<string> a, HashSet<string> b)
    {
        if (a.Count == 0 && b.Count == 0) return 1;
        int shared = a.Count(b.Contains);
        return shared / (double)(a.Count + b.Count - shared);
    }
}
