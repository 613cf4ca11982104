using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>struct llama_perf_sampler_data (llama.h). 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct LlamaPerfSamplerData
{
    public double t_sample_ms;
    public int n_sample;
}
