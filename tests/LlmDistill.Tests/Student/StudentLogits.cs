using LlmDistill.Student;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

/// <summary>The student's side of a parity check: logits of one sequence as [T][V] floats.</summary>
public static class StudentLogits
{
    public static float[][] Of(StudentModel model, int[] tokens)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var logits = model.call(tensor(tokens.Select(t => (long)t).ToArray()).unsqueeze(0))[0]; // (T, V)
        return Enumerable.Range(0, tokens.Length).Select(i => logits[i].data<float>().ToArray()).ToArray();
    }

    public static float MaxAbsDifference(float[][] a, float[][] b)
    {
        Assert.Equal(a.Length, b.Length);
        float max = 0;
        for (int t = 0; t < a.Length; t++)
        {
            Assert.Equal(a[t].Length, b[t].Length);
            for (int v = 0; v < a[t].Length; v++) max = Math.Max(max, Math.Abs(a[t][v] - b[t][v]));
        }
        return max;
    }
}
