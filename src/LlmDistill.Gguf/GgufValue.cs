using System.Globalization;
using System.Runtime.InteropServices;

namespace LlmDistill.Gguf;

/// <summary>
/// One immutable GGUF metadata value: a scalar, a string, or an array. Arrays are held as typed CLR arrays
/// (<c>uint[]</c>, <c>string[]</c>, ...), so a 150k-entry token list is one allocation; arrays of arrays are
/// held as <c>GgufValue[]</c> whose elements are themselves arrays.
/// </summary>
public sealed class GgufValue : IEquatable<GgufValue>
{
    private readonly object _value;

    private GgufValue(GgufValueType type, GgufValueType elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        _value = value;
    }

    /// <summary>The value's type; <see cref="GgufValueType.Array"/> for arrays.</summary>
    public GgufValueType Type { get; }

    /// <summary>For arrays, the type of the elements; for scalars and strings, the same as <see cref="Type"/>.</summary>
    public GgufValueType ElementType { get; }

    public bool IsArray => Type == GgufValueType.Array;

    /// <summary>Number of elements of an array; 1 for a scalar or string.</summary>
    public int Count => IsArray ? ((Array)_value).Length : 1;

    /// <summary>
    /// The CLR payload: a boxed <c>byte</c>/<c>sbyte</c>/.../<c>double</c>/<c>bool</c>, a <c>string</c>, or for arrays a
    /// typed array (<c>bool[]</c> for BOOL, <c>GgufValue[]</c> for nested arrays). Do not mutate returned arrays.
    /// </summary>
    public object RawValue => _value;

    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, GgufValueType.UInt8, value);
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, GgufValueType.Int8, value);
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, GgufValueType.UInt16, value);
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, GgufValueType.Int16, value);
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, GgufValueType.UInt32, value);
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, GgufValueType.Int32, value);
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, GgufValueType.UInt64, value);
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, GgufValueType.Int64, value);
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, GgufValueType.Float32, value);
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, GgufValueType.Float64, value);
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, GgufValueType.Bool, value);

    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, GgufValueType.String, value);
    }

    public static GgufValue FromArray(ReadOnlySpan<byte> values) => Arr(GgufValueType.UInt8, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<sbyte> values) => Arr(GgufValueType.Int8, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<ushort> values) => Arr(GgufValueType.UInt16, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<short> values) => Arr(GgufValueType.Int16, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<uint> values) => Arr(GgufValueType.UInt32, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<int> values) => Arr(GgufValueType.Int32, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<ulong> values) => Arr(GgufValueType.UInt64, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<long> values) => Arr(GgufValueType.Int64, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<float> values) => Arr(GgufValueType.Float32, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<double> values) => Arr(GgufValueType.Float64, values.ToArray());
    public static GgufValue FromArray(ReadOnlySpan<bool> values) => Arr(GgufValueType.Bool, values.ToArray());

    public static GgufValue FromArray(ReadOnlySpan<string> values)
    {
        var copy = values.ToArray();
        foreach (var s in copy)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(values));
        }
        return Arr(GgufValueType.String, copy);
    }

    /// <summary>An array of arrays. GGUF allows it; note llama.cpp's loader refuses nested arrays.</summary>
    public static GgufValue FromArray(ReadOnlySpan<GgufValue> arrays)
    {
        var copy = arrays.ToArray();
        foreach (var v in copy)
        {
            if (v is null || !v.IsArray)
            {
                throw new ArgumentException("every element of a nested GGUF array must itself be an array value", nameof(arrays));
            }
        }
        return Arr(GgufValueType.Array, copy);
    }

    /// <summary>Wraps an array the caller hands over (no copy); used by the reader.</summary>
    internal static GgufValue Arr(GgufValueType elementType, Array values) => new(GgufValueType.Array, elementType, values);

    /// <summary>Wraps a boxed scalar or string of the given type without checks; used by the reader.</summary>
    internal static GgufValue Scalar(GgufValueType type, object value) => new(type, type, value);

    public string AsString() => _value as string ?? throw WrongType(GgufValueType.String);
    public bool AsBool() => _value is bool b && !IsArray ? b : throw WrongType(GgufValueType.Bool);

    /// <summary>The elements of an array of <typeparamref name="T"/> (e.g. <c>string</c>, <c>int</c>, <c>GgufValue</c>), without copying.</summary>
    public ReadOnlySpan<T> AsSpan<T>() =>
        _value is T[] array && IsArray ? array : throw new InvalidCastException($"GGUF value of type {Describe()} is not an array of {typeof(T).Name}");

    /// <summary>
    /// The value as an integer when it is any integer scalar type; false for floats, bools, strings and arrays.
    /// </summary>
    public bool TryGetInteger(out Int128 value)
    {
        switch (_value)
        {
            case byte v: value = v; return true;
            case sbyte v: value = v; return true;
            case ushort v: value = v; return true;
            case short v: value = v; return true;
            case uint v: value = v; return true;
            case int v: value = v; return true;
            case ulong v: value = v; return true;
            case long v: value = v; return true;
            default: value = 0; return false;
        }
    }

    /// <summary>The value as a double when it is FLOAT32 or FLOAT64.</summary>
    public bool TryGetFloat(out double value)
    {
        switch (_value)
        {
            case float f: value = f; return true;
            case double d: value = d; return true;
            default: value = 0; return false;
        }
    }

    /// <summary>Type text for messages: <c>UINT32</c>, <c>STRING</c>, <c>ARRAY[STRING]</c>.</summary>
    public string Describe() =>
        IsArray ? $"ARRAY[{GgufValueTypes.SpecName(ElementType)}]" : GgufValueTypes.SpecName(Type);

    private InvalidCastException WrongType(GgufValueType wanted) =>
        new($"GGUF value of type {Describe()} is not {GgufValueTypes.SpecName(wanted)}");

    /// <summary>Structural equality: same types and elements; floats compare by bit pattern so NaNs round-trip.</summary>
    public bool Equals(GgufValue? other)
    {
        if (other is null || other.Type != Type || other.ElementType != ElementType)
        {
            return false;
        }
        return (_value, other._value) switch
        {
            (float a, float b) => BitConverter.SingleToInt32Bits(a) == BitConverter.SingleToInt32Bits(b),
            (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b),
            (float[] a, float[] b) => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan())),
            (double[] a, double[] b) => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan())),
            (string[] a, string[] b) => a.AsSpan().SequenceEqual(b),
            (GgufValue[] a, GgufValue[] b) => a.AsSpan().SequenceEqual(b),
            (bool[] a, bool[] b) => a.AsSpan().SequenceEqual(b),
            (Array a, Array b) => ArrayBytesEqual(a, b),
            _ => _value.Equals(other._value),
        };
    }

    private static bool ArrayBytesEqual(Array a, Array b) => a.Length == b.Length && (a, b) switch
    {
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (sbyte[] x, sbyte[] y) => x.AsSpan().SequenceEqual(y),
        (ushort[] x, ushort[] y) => x.AsSpan().SequenceEqual(y),
        (short[] x, short[] y) => x.AsSpan().SequenceEqual(y),
        (uint[] x, uint[] y) => x.AsSpan().SequenceEqual(y),
        (int[] x, int[] y) => x.AsSpan().SequenceEqual(y),
        (ulong[] x, ulong[] y) => x.AsSpan().SequenceEqual(y),
        (long[] x, long[] y) => x.AsSpan().SequenceEqual(y),
        _ => false,
    };

    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    public override int GetHashCode() => HashCode.Combine(Type, ElementType, Count);

    public override string ToString()
    {
        if (!IsArray)
        {
            return _value is string s ? $"\"{s}\"" : Convert.ToString(_value, CultureInfo.InvariantCulture) ?? "";
        }
        return $"{Describe()} x{Count}";
    }
}
