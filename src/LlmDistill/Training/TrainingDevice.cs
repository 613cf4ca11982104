using static TorchSharp.torch;

namespace LlmDistill.Training;

/// <summary>Turns a <see cref="ComputeDevice"/> into a torch device, refusing what this build cannot run.</summary>
internal static class TrainingDevice
{
    /// <summary>How to get a CUDA build: an MSBuild property of LlmDistill.csproj that swaps the TorchSharp package.</summary>
    public const string CudaBuildHint = "build with -p:TorchSharpBackend=cuda, which references TorchSharp-cuda-linux (or TorchSharp-cuda-windows) instead of TorchSharp-cpu";

    public static Device Resolve(ComputeDevice device)
    {
        if (!device.IsCuda) return CPU;
        if (!cuda.is_available())
            throw new InvalidOperationException($"training on {device} needs the CUDA build of TorchSharp and a visible NVIDIA GPU, and this build has neither: {CudaBuildHint}.");
        return TorchSharp.torch.device(device.ToString() == "cuda" ? "cuda:0" : device.ToString());
    }
}
