namespace LlmDistill.Student.Lora;

/// <summary>
/// What a LoRA student is made of: its adapter settings and the frozen base GGUF they patch (path when training began,
/// and its SHA-256, so a changed or different base is refused by content rather than by name).
/// </summary>
public sealed record LoraBase(LoraOptions Options, string BasePath, string BaseSha256);
