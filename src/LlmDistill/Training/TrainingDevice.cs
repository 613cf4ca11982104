using static TorchSharp.torch;

namespace LlmDistill.Training;

/// <summary>Turns <see cref="TrainerOptions.Device"/> into a torch device, refusing what this build cannot run.</summary>
public static class TrainingDevice
{
    /// <summary>How to get a CUDA build: an MSBuild property of LlmDistill.csproj that swaps the TorchSharp package.</summary>
    public const string CudaBuildHint = "build with -p:TorchSharpBackend=cuda, which references TorchSharp-cuda-linux (or TorchSharp-cuda-windows) instead of TorchSharp-cpu";

    public static Device Resolve(string name)
    {
        string trimmed = name.Trim().ToLowerInvariant();
        if (trimmed == "cpu") return CPU;
        if (trimmed == "cuda" || trimmed.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!cuda.is_available())
                throw new InvalidOperationException($"--device {name} needs the CUDA build of TorchSharp and a visible NVIDIA GPU, and this build has neither: {CudaBuildHint}.");
            return device(trimmed);
        }
        throw new ArgumentException($"Unknown device '{name}': use cpu or cuda (cuda:N for another GPU).");
    }
}
