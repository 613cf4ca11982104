using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LlmDistill.Teacher;

/// <summary>
/// The teacher's soft targets for one position: the k most likely next tokens and their log-probabilities
/// under log_softmax(logits) at temperature 1, before any sampler. Everything here is computed from raw logits
/// in a fixed number of passes over the vocabulary (no sort of the vocabulary).
/// </summary>
internal static class TopKLogprobs
{
    /// <summary>
    /// Finds the k largest logits (ids and log-probabilities, best first; ties broken by lower id) and
    /// log Σ exp(logits). One selection pass with a size-k heap, whose best is the maximum, then one vectorised
    /// pass for the sum of exp.
    /// </summary>
    /// <param name="logits">raw logits, length = vocabulary size</param>
    /// <param name="ids">output, length k</param>
    /// <param name="logprobs">output, length k; each ≤ 0, sorted descending</param>
    /// <returns>log Σ_v exp(logits[v]), the normaliser: logprob(v) = logits[v] − returned value</returns>
    public static float Capture(ReadOnlySpan<float> logits, Span<int> ids, Span<float> logprobs)
    {
        int k = ids.Length;
        if (logprobs.Length != k) throw new ArgumentException("ids and logprobs must have the same length (k)");
        if (k > logits.Length) throw new ArgumentException($"k = {k} exceeds the vocabulary size {logits.Length}");

        if (k == 0) return LogSumExp(logits);
        SelectLargest(logits, ids, logprobs);
        float logSumExp = LogSumExp(logits, logprobs[0]);
        for (int i = 0; i < k; i++) logprobs[i] -= logSumExp;
        return logSumExp;
    }

    /// <summary>1 − Σ exp(logprobs): the probability mass outside the captured top-k, clamped to [0, 1].</summary>
    public static float TailMass(ReadOnlySpan<float> logprobs)
    {
        double mass = 0;
        foreach (float lp in logprobs) mass += Math.Exp(lp);
        return (float)Math.Clamp(1.0 - mass, 0.0, 1.0);
    }

    /// <summary>log Σ exp(x), computed stably as max + log Σ exp(x − max).</summary>
    public static float LogSumExp(ReadOnlySpan<float> x) => LogSumExp(x, Max(x));

    /// <summary>log Σ exp(x) given max(x). Optimised at first call: the generator runs it on its first decode steps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float LogSumExp(ReadOnlySpan<float> x, float max)
    {
        if (float.IsNegativeInfinity(max)) return max;
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            // Float lanes summed in short blocks, blocks summed in double: keeps 1e-6 relative accuracy at 150k tokens.
            var shift = new Vector<float>(max);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
            for (int start = 0; start < vectors.Length; start += 32)
            {
                var acc = Vector<float>.Zero;
                foreach (var v in vectors.Slice(start, Math.Min(32, vectors.Length - start))) acc += Vector.Exp(v - shift);
                for (int lane = 0; lane < Vector<float>.Count; lane++) sum += acc[lane];
            }
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) sum += MathF.Exp(x[i] - max);
        // A NaN anywhere (or +∞, as ∞ − ∞) makes the sum NaN: one check here instead of one per logit.
        if (double.IsNaN(sum)) throw new ArgumentException("logits contain NaN or infinity");
        return max + (float)Math.Log(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Max(ReadOnlySpan<float> x)
    {
        float max = float.NegativeInfinity;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<float>.Count)
        {
            var acc = new Vector<float>(float.NegativeInfinity);
            var vectors = MemoryMarshal.Cast<float, Vector<float>>(x);
            foreach (var v in vectors) acc = Vector.Max(acc, v);
            for (int j = 0; j < Vector<float>.Count; j++) max = Math.Max(max, acc[j]);
            i = vectors.Length * Vector<float>.Count;
        }
        for (; i < x.Length; i++) max = Math.Max(max, x[i]);
        if (float.IsNaN(max)) throw new ArgumentException("logits contain NaN");
        return max;
    }

    /// <summary>
    /// One pass with a min-heap of size k keyed by (value, −id): the heap root is the weakest kept candidate,
    /// so each remaining logit costs one comparison unless it beats the root. Output sorted best first.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void SelectLargest(ReadOnlySpan<float> logits, Span<int> ids, Span<float> values)
    {
        int k = ids.Length;
        for (int i = 0; i < k; i++) { ids[i] = i; values[i] = logits[i]; }
        for (int i = k / 2 - 1; i >= 0; i--) SiftDown(ids, values, i, k);

        // Once the heap is full almost no logit beats its root, so whole vectors are skipped with one comparison.
        int v = k, width = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            for (; v + width <= logits.Length; v += width)
            {
                if (!Vector.GreaterThanAny(new Vector<float>(logits.Slice(v, width)), new Vector<float>(values[0]))) continue;
                for (int j = v; j < v + width; j++) Offer(logits[j], j, ids, values);
            }
        }
        for (; v < logits.Length; v++) Offer(logits[v], v, ids, values);

        // Heap sort in place: repeatedly move the weakest to the end, leaving the best first.
        for (int end = k - 1; end > 0; end--)
        {
            (ids[0], ids[end]) = (ids[end], ids[0]);
            (values[0], values[end]) = (values[end], values[0]);
            SiftDown(ids, values, 0, end);
        }
    }

    /// <summary>Replaces the heap root when <paramref name="x"/> beats it; equal values keep the lower id already held.</summary>
    static void Offer(float x, int id, Span<int> ids, Span<float> values)
    {
        if (x <= values[0]) return;
        ids[0] = id; values[0] = x;
        SiftDown(ids, values, 0, ids.Length);
    }

    // Min-heap order: a is "weaker" than b when its value is smaller, or equal with a larger id.
    static bool Weaker(Span<int> ids, Span<float> values, int a, int b) =>
        values[a] < values[b] || (values[a] == values[b] && ids[a] > ids[b]);

    static void SiftDown(Span<int> ids, Span<float> values, int i, int count)
    {
        while (true)
        {
            int left = 2 * i + 1, right = left + 1, weakest = i;
            if (left < count && Weaker(ids, values, left, weakest)) weakest = left;
            if (right < count && Weaker(ids, values, right, weakest)) weakest = right;
            if (weakest == i) return;
            (ids[i], ids[weakest]) = (ids[weakest], ids[i]);
            (values[i], values[weakest]) = (values[weakest], values[i]);
            i = weakest;
        }
    }
}
