namespace LlmDistill.Native;

/// <summary>enum llama_rope_scaling_type (llama.h).</summary>
public enum LlamaRopeScalingType
{
    Unspecified = -1,
    None = 0,
    Linear = 1,
    Yarn = 2,
    LongRope = 3,
}
