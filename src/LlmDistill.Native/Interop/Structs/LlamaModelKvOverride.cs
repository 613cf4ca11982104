using System.Runtime.InteropServices;

namespace LlmDistill.Native;

/// <summary>
/// struct llama_model_kv_override (llama.h): tag, char key[128], then an anonymous union
/// { int64 val_i64; double val_f64; bool val_bool; char val_str[128]; } at offset 136. 264 bytes.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 264)]
public unsafe struct LlamaModelKvOverride
{
    [FieldOffset(0)] public LlamaModelKvOverrideType tag;
    [FieldOffset(4)] public fixed byte key[128];
    [FieldOffset(136)] public long val_i64;
    [FieldOffset(136)] public double val_f64;
    [FieldOffset(136)] public bool val_bool;
    [FieldOffset(136)] public fixed byte val_str[128];
}
