namespace LlmDistill.Teacher;

/// <summary>
/// Draws the next token of one sequence from raw logits: greedy, or temperature + top-k + top-p + min-p with a
/// per-sequence seeded generator. Sampling happens in managed code so that the logits we record and the
/// logits we sample from are the same numbers.
/// </summary>
internal sealed class TokenSampler
{
    readonly SamplingSettings _settings;
    readonly Random _random;
    int[] _ids = [];
    float[] _values = [];

    public TokenSampler(SamplingSettings settings, long sequenceIndex)
    {
        _settings = settings;
        // Mix seed and sequence index so neighbouring requests get unrelated streams.
        ulong mixed = SplitMix((ulong)settings.Seed ^ SplitMix((ulong)sequenceIndex + 0x9E3779B97F4A7C15UL));
        _random = new Random((int)(mixed ^ (mixed >> 32)));
    }

    public int Sample(ReadOnlySpan<float> logits)
    {
        if (_settings.IsGreedy) return ArgMax(logits);

        int k = _settings.TopK > 0 ? Math.Min(_settings.TopK, logits.Length) : logits.Length;
        if (_ids.Length != k) { _ids = new int[k]; _values = new float[k]; }
        TopKLogprobs.SelectLargest(logits, _ids, _values);  // best first

        // Softmax over the candidates at the sampling temperature (values sorted descending, so values[0] is the max).
        float inverseTemperature = 1f / _settings.Temperature, max = _values[0];
        double total = 0;
        for (int i = 0; i < k; i++) { double p = Math.Exp((_values[i] - max) * inverseTemperature); _values[i] = (float)p; total += p; }

        int kept = k;
        if (_settings.MinP > 0f)
        {
            double floor = _settings.MinP * _values[0];
            while (kept > 1 && _values[kept - 1] < floor) kept--;
        }
        if (_settings.TopP < 1f)
        {
            double cumulative = 0, target = _settings.TopP * total;
            for (int i = 0; i < kept; i++) { cumulative += _values[i]; if (cumulative >= target) { kept = i + 1; break; } }
        }

        double keptMass = 0;
        for (int i = 0; i < kept; i++) keptMass += _values[i];
        double u = _random.NextDouble() * keptMass;
        for (int i = 0; i < kept; i++) { u -= _values[i]; if (u < 0) return _ids[i]; }
        return _ids[kept - 1];
    }

    /// <summary>Index of the largest logit; ties go to the lower id.</summary>
    public static int ArgMax(ReadOnlySpan<float> logits)
    {
        int best = 0;
        for (int i = 1; i < logits.Length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
