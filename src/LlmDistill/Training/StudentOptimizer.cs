using LlmDistill.Student;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Training;

/// <summary>
/// AdamW over the student's trainable parameters in two groups: matrices decay, norm weights and biases do not (as
/// nanoGPT). Frozen parameters (a LoRA student's base) get no moments at all. <see cref="LeanAdamW"/> frees each update's temporary as it goes.
/// </summary>
internal static class StudentOptimizer
{
    public static AdamW Create(StudentModel model, TrainerOptions options)
    {
        var parameters = model.parameters().Where(p => p.requires_grad).ToArray();
        var decay = parameters.Where(p => p.dim() >= 2);
        var noDecay = parameters.Where(p => p.dim() < 2);
        return new LeanAdamW(
            [
                new AdamW.ParamGroup(decay, options.LearningRate, options.Beta1, options.Beta2, weight_decay: options.WeightDecay),
                new AdamW.ParamGroup(noDecay, options.LearningRate, options.Beta1, options.Beta2, weight_decay: 0),
            ],
            options.LearningRate, options.Beta1, options.Beta2, options.WeightDecay);
    }

    public static void SetLearningRate(optim.Optimizer optimizer, double rate)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
    }

    /// <summary>
    /// Scales all gradients so their global L2 norm is at most <paramref name="maxNorm"/> (0: no scaling) and returns the
    /// norm before scaling as a 0-d tensor, so the step needs no host sync (torch's clip_grad_norm_ returns a double).
    /// </summary>
    public static Tensor ClipGradients(IReadOnlyList<Parameter> parameters, double maxNorm)
    {
        var norms = parameters.Where(p => p.grad is not null).Select(p => p.grad!.norm()).ToArray();
        var total = stack(norms).norm(); // ()
        if (maxNorm > 0)
        {
            var scale = (maxNorm / (total + 1e-6)).clamp_max(1.0); // ()
            foreach (var p in parameters) p.grad?.mul_(scale);
        }
        return total;
    }
}
