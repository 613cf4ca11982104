namespace LlmDistill.Student;

/// <summary>
/// Llama 3.1/3.2's RoPE scaling (Hugging Face <c>rope_scaling: {rope_type: llama3, …}</c>): long wavelengths are
/// stretched by <see cref="Factor"/>, short ones kept, the band between blended. GGUF carries the result as
/// <c>rope_freqs.weight</c>, one divisor per frequency, computed as convert_hf_to_gguf.py does.
/// </summary>
/// <param name="OriginalContextLength">Positions the model was pretrained on before scaling (8192 for Llama 3.2).</param>
public sealed record Llama3RopeScaling(float Factor, float LowFreqFactor, float HighFreqFactor, int OriginalContextLength)
{
    /// <summary>Llama-3.2-1B/3B's values: factor 32, low 1, high 4, original 8192.</summary>
    public static Llama3RopeScaling Llama3_2 { get; } = new(32f, 1f, 4f, 8192);

    /// <summary>The head size / 2 divisors for RoPE base <paramref name="freqBase"/>: 1 for wavelengths under
    /// original / high, <see cref="Factor"/> over original / low, and 1 / ((1 − s) / factor + s) between, s linear in 1 / wavelength.</summary>
    public float[] Factors(int headSize, float freqBase)
    {
        double lowWavelength = OriginalContextLength / LowFreqFactor, highWavelength = OriginalContextLength / HighFreqFactor;
        var factors = new float[headSize / 2];
        for (int i = 0; i < factors.Length; i++)
        {
            double wavelength = 2 * Math.PI * Math.Pow(freqBase, 2.0 * i / headSize); // 2π / frequency
            if (wavelength < highWavelength) factors[i] = 1f;
            else if (wavelength > lowWavelength) factors[i] = Factor;
            else
            {
                double smooth = (OriginalContextLength / wavelength - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                factors[i] = (float)(1 / ((1 - smooth) / Factor + smooth));
            }
        }
        return factors;
    }
}
