namespace LlmDistill.Native;

/// <summary>enum ggml_log_level (ggml.h). <see cref="Cont"/> continues the previous message.</summary>
public enum GgmlLogLevel
{
    None = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
    Cont = 5,
}
