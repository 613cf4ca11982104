using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>Greedy (arg-max) continuation with the student, recomputing the whole prefix each step (no KV cache).</summary>
internal static class StudentGreedy
{
    /// <summary>The <paramref name="steps"/> tokens that follow <paramref name="prompt"/>, each the arg-max of its logits.</summary>
    public static int[] Continue(StudentModel model, IReadOnlyList<int> prompt, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(prompt.Count, 1, nameof(prompt));
        var sequence = prompt.Select(t => (long)t).ToList();
        using var _ = no_grad();
        for (int step = 0; step < steps; step++)
        {
            using var scope = NewDisposeScope();
            var tokens = tensor(sequence.ToArray()).unsqueeze(0); // (1, T)
            var last = model.call(tokens)[0, -1]; // (V)
            sequence.Add(last.argmax().item<long>());
        }
        return sequence.Skip(prompt.Count).Select(t => (int)t).ToArray();
    }
}
