namespace LlmDistill.Models;

/// <summary>
/// Deterministic random weights for tests and benchmarks: matrices and biases ~ N(0, std²) (std 0.02 as in GPT-2/Llama
/// initialisation), norm weights and RoPE factors 1. Each tensor's values depend only on the seed and the tensor's name, so they do
/// not change with write order and a tensor can be regenerated alone.
/// </summary>
public static class RandomLlamaWeights
{
    public static TensorDataSource Create(int seed, float std = 0.02f) => tensor => Generate(tensor, seed, std);

    public static float[] Generate(ModelTensor tensor, int seed, float std = 0.02f)
    {
        var data = new float[checked((int)tensor.ElementCount)];
        if (tensor.Kind is ModelTensorKind.Norm or ModelTensorKind.RopeFactors)
        {
            Array.Fill(data, 1f);
            return data;
        }
        var random = new Random(seed ^ StableHash(tensor.Name));
        // Box-Muller, two normals per pair of uniforms.
        for (int i = 0; i < data.Length; i += 2)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double r = Math.Sqrt(-2.0 * Math.Log(u1)) * std;
            data[i] = (float)(r * Math.Cos(2 * Math.PI * u2));
            if (i + 1 < data.Length) data[i + 1] = (float)(r * Math.Sin(2 * Math.PI * u2));
        }
        return data;
    }

    /// <summary>FNV-1a of the name: stable across processes, unlike string.GetHashCode.</summary>
    static int StableHash(string s)
    {
        uint h = 2166136261;
        foreach (char c in s) h = (h ^ c) * 16777619;
        return (int)h;
    }
}
