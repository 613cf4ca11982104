using LlmDistill.Gguf;
using LlmDistill.Native;

namespace LlmDistill.Export;

/// <summary>
/// The matrix type of an exported student GGUF. F32, F16, BF16 and Q8_0 are written by the managed writer; the
/// k-quants and legacy quants are made by llama.cpp's quantizer from an F32 intermediate (written as on the command
/// line: <c>q4_k_m</c>).
/// </summary>
public enum ExportType
{
    F32, F16, Bf16, Q8_0,
    Q4_0, Q5_0, Q3_K_M, Q4_K_S, Q4_K_M, Q5_K_S, Q5_K_M, Q6_K,
}

/// <summary>How each <see cref="ExportType"/> is produced.</summary>
public static class ExportTypes
{
    /// <summary>The GGML type the managed writer writes for <paramref name="type"/>; null when llama.cpp's quantizer makes it.</summary>
    public static GgmlType? Managed(this ExportType type) => type switch
    {
        ExportType.F32 => GgmlType.F32,
        ExportType.F16 => GgmlType.F16,
        ExportType.Bf16 => GgmlType.BF16,
        ExportType.Q8_0 => GgmlType.Q8_0,
        _ => null,
    };

    /// <summary>The llama_model_quantize file type for <paramref name="type"/>; null for the managed types.</summary>
    public static LlamaFtype? Quantized(this ExportType type) => type switch
    {
        ExportType.Q4_0 => LlamaFtype.MostlyQ4_0,
        ExportType.Q5_0 => LlamaFtype.MostlyQ5_0,
        ExportType.Q3_K_M => LlamaFtype.MostlyQ3_K_M,
        ExportType.Q4_K_S => LlamaFtype.MostlyQ4_K_S,
        ExportType.Q4_K_M => LlamaFtype.MostlyQ4_K_M,
        ExportType.Q5_K_S => LlamaFtype.MostlyQ5_K_S,
        ExportType.Q5_K_M => LlamaFtype.MostlyQ5_K_M,
        ExportType.Q6_K => LlamaFtype.MostlyQ6_K,
        _ => null,
    };

    /// <summary>Reads the command-line spelling; anything else throws <see cref="FormatException"/> listing the choices.</summary>
    public static ExportType Parse(string text) => (ExportType)Options.OptionValues.Parse(text, typeof(ExportType))!;

    /// <summary>The command-line spelling (<c>q4_k_m</c>), also used in file names.</summary>
    public static string Name(this ExportType type) => Options.OptionValues.Format(type);
}
