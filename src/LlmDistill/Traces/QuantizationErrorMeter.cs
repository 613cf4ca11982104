namespace LlmDistill.Traces;

/// <summary>The largest error the encoding actually made on the values it stored, measured while writing.</summary>
public sealed class QuantizationErrorMeter
{
    /// <summary>max |decoded − original| over sampled and top-k log-probabilities, nats.</summary>
    public double MaxLogprobError { get; private set; }
    /// <summary>max |decoded − original| over tail masses (probability).</summary>
    public double MaxTailMassError { get; private set; }

    public void AddLogprobs(ReadOnlySpan<float> original, ReadOnlySpan<ushort> codes)
    {
        double max = MaxLogprobError;
        for (int i = 0; i < original.Length; i++)
            max = Math.Max(max, Math.Abs(TopKEncoding.DecodeLogprob(codes[i]) - (double)original[i]));
        MaxLogprobError = max;
    }

    public void AddTopLogprobs(ReadOnlySpan<float> original, int k, ReadOnlySpan<ushort> gaps)
    {
        var decoded = new float[original.Length];
        TopKEncoding.DecodeTopLogprobs(gaps, k, decoded);
        double max = MaxLogprobError;
        for (int i = 0; i < original.Length; i++) max = Math.Max(max, Math.Abs(decoded[i] - (double)original[i]));
        MaxLogprobError = max;
    }

    public void AddTailMasses(ReadOnlySpan<float> original, ReadOnlySpan<ushort> codes)
    {
        double max = MaxTailMassError;
        for (int i = 0; i < original.Length; i++)
            max = Math.Max(max, Math.Abs(TopKEncoding.DecodeTailMass(codes[i]) - (double)original[i]));
        MaxTailMassError = max;
    }
}
