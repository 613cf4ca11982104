using LlmDistill.Training.Losses;
using static TorchSharp.torch;

namespace LlmDistill.Training.Data;

/// <summary>
/// Packs examples into one <see cref="DistillationBatch"/>: B rows padded on the right to a common length T (the
/// longest, rounded up to a multiple, never past the maximum sequence length). Padding positions read and predict
/// the pad id with span 0 and no teacher. K is the largest k among the examples (at least 1); slots an example
/// does not fill, and every slot of a position without a teacher, hold id 0 and log-probability −∞ with tail mass 1.
/// Arrays are filled on the CPU and copied to the device once per tensor.
/// </summary>
internal static class TraceCollator
{
    /// <summary>T for a batch whose longest example has <paramref name="longest"/> positions.</summary>
    public static int PaddedLength(int longest, int multipleOf, int maxSequenceLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(multipleOf, 1);
        int rounded = (longest + multipleOf - 1) / multipleOf * multipleOf;
        return Math.Max(longest, Math.Min(rounded, maxSequenceLength));
    }

    public static DistillationBatch Collate(IReadOnlyList<TraceExample> examples, int length, long padId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(examples);
        if (examples.Count == 0) throw new ArgumentException("a batch needs at least one example", nameof(examples));
        int b = examples.Count, t = length, k = Math.Max(1, examples.Max(e => e.TopK));
        if (examples.Max(e => e.Length) > t) throw new ArgumentOutOfRangeException(nameof(length), length, "an example is longer than the batch length");

        var inputIds = new long[b * t];                                 // (B, T)
        var targetIds = new long[b * t];                                // (B, T)
        var spanKinds = new long[b * t];                                // (B, T)
        var topIds = new long[b * t * k];                               // (B, T, K)
        var topLogprobs = new float[b * t * k];                         // (B, T, K)
        var tailMass = new float[b * t];                                // (B, T)
        var present = new bool[b * t];                                  // (B, T)
        var weights = new float[b];                                     // (B)
        Array.Fill(inputIds, padId);
        Array.Fill(targetIds, padId);
        Array.Fill(topLogprobs, float.NegativeInfinity);
        Array.Fill(tailMass, 1f);

        for (int row = 0; row < b; row++)
        {
            var e = examples[row];
            int at = row * t;
            weights[row] = e.Weight;
            for (int i = 0; i < e.Length; i++)
            {
                inputIds[at + i] = e.TokenIds[i];
                targetIds[at + i] = e.TokenIds[i + 1];
                spanKinds[at + i] = e.SpanKinds[i];
            }
            if (e.TopK == 0) continue;
            for (int j = 0; j < e.CompletionLength; j++)
            {
                int position = at + e.PromptLength - 1 + j;
                present[position] = true;
                tailMass[position] = e.TeacherTailMass[j];
                for (int s = 0; s < e.TopK; s++)
                {
                    topIds[position * k + s] = e.TeacherTopIds[j * e.TopK + s];
                    topLogprobs[position * k + s] = e.TeacherTopLogprobs[j * e.TopK + s];
                }
            }
        }

        device ??= CPU;
        long[] bt = [b, t], btk = [b, t, k];
        return new DistillationBatch(
            InputIds: tensor(inputIds, bt, device: device),
            TargetIds: tensor(targetIds, bt, device: device),
            SpanKinds: tensor(spanKinds, bt, device: device),
            TeacherTopKIds: tensor(topIds, btk, device: device),
            TeacherTopKLogprobs: tensor(topLogprobs, btk, device: device),
            TeacherTailMass: tensor(tailMass, bt, device: device),
            TeacherPresent: tensor(present, bt, device: device),
            ExampleWeights: tensor(weights, [b], device: device));
    }
}
