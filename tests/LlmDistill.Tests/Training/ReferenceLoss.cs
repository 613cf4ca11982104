namespace LlmDistill.Tests.Training;

/// <summary>
/// The distillation loss written directly from the specification in plain doubles, one position at a time,
/// as an independent check on the tensor code: dense softmax, the coarsened distributions as arrays, divergences as sums.
/// </summary>
static class ReferenceLoss
{
    public static double[] Softmax(double[] logits)
    {
        double max = logits.Max();
        double[] e = logits.Select(z => Math.Exp(z - max)).ToArray();
        double sum = e.Sum();
        return e.Select(x => x / sum).ToArray();
    }

    /// <summary>Teacher over {top-k ids, rest}: exp of the stored log-probabilities, then the tail.</summary>
    public static double[] CoarseTeacher(double[] topKLogprobs, double tail) => [.. topKLogprobs.Select(Math.Exp), tail];

    /// <summary>Student over {top-k ids, rest}: q at the ids, then whatever mass is left.</summary>
    public static double[] CoarseStudent(double[] q, int[] ids)
    {
        double[] atIds = ids.Select(id => q[id]).ToArray();
        return [.. atIds, 1 - atIds.Sum()];
    }

    /// <summary>p^(1/T) renormalised over the given outcomes.</summary>
    public static double[] Soften(double[] p, double temperature)
    {
        double[] powered = p.Select(x => Math.Pow(x, 1 / temperature)).ToArray();
        double sum = powered.Sum();
        return powered.Select(x => x / sum).ToArray();
    }

    /// <summary>Σ a ln(a / b), skipping outcomes with a = 0.</summary>
    public static double Kl(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
            if (a[i] > 0) sum += a[i] * Math.Log(a[i] / b[i]);
        return sum;
    }

    public static double Jsd(double[] p, double[] q, double beta)
    {
        double[] m = p.Zip(q, (pi, qi) => beta * pi + (1 - beta) * qi).ToArray();
        return beta * Kl(p, m) + (1 - beta) * Kl(q, m);
    }

    /// <summary>The divergence by name: "forward", "reverse" or "jsd".</summary>
    public static double Divergence(string kind, double[] p, double[] q, double beta = 0.5) => kind switch
    {
        "forward" => Kl(p, q),
        "reverse" => Kl(q, p),
        "jsd" => Jsd(p, q, beta),
        _ => throw new ArgumentException(kind),
    };

    public static double Entropy(double[] p) => -p.Where(x => x > 0).Sum(x => x * Math.Log(x));
}
