namespace LlmDistill.Training.Data;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood 2014): a tiny generator whose sequence is fixed by its seed on every .NET
/// version and machine, which <see cref="Random"/> does not promise. The loader's shuffles depend on it for
/// bit-exact resume.
/// </summary>
internal sealed class SeededRandom(ulong seed)
{
    ulong _state = seed;

    /// <summary>A generator for one (seed, stream) pair, e.g. the loader's seed and an epoch number.</summary>
    public static SeededRandom For(long seed, long stream) => new(Mix(Mix((ulong)seed) ^ (ulong)stream));

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>) (multiply-shift; bias at most maxExclusive / 2³², negligible at shuffle-buffer sizes).</summary>
    public int Next(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
