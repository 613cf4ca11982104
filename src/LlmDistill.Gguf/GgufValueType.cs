namespace LlmDistill.Gguf;

/// <summary>The 13 metadata value types of the GGUF format; the numeric ids are the on-disk uint32 codes.</summary>
public enum GgufValueType : uint
{
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
}

/// <summary>Facts about <see cref="GgufValueType"/> needed to bound reads before allocating.</summary>
public static class GgufValueTypes
{
    public static bool IsDefined(GgufValueType type) => (uint)type <= (uint)GgufValueType.Float64;

    /// <summary>
    /// The smallest number of bytes one value of this type occupies on disk: its fixed size for scalars,
    /// the 8-byte length prefix for strings, and element type + count (12 bytes) for arrays.
    /// </summary>
    public static int MinEncodedSize(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not a GGUF value type"),
    };

    /// <summary>The upper-case name the GGUF spec uses (e.g. <c>UINT32</c>), for messages.</summary>
    public static string SpecName(GgufValueType type) =>
        IsDefined(type) ? type.ToString().ToUpperInvariant() : $"unknown({(uint)type})";
}
