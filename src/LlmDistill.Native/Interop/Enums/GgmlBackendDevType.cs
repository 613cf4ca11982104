namespace LlmDistill.Native;

/// <summary>enum ggml_backend_dev_type (ggml-backend.h).</summary>
public enum GgmlBackendDevType
{
    Cpu = 0,
    Gpu = 1,
    IGpu = 2,
    Accel = 3,
    Meta = 4,
}
