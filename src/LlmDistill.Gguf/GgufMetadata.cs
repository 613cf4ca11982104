using System.Collections;

namespace LlmDistill.Gguf;

/// <summary>
/// Ordered GGUF metadata (key → <see cref="GgufValue"/>). Insertion order is the order written to disk.
/// Typed getters throw <see cref="KeyNotFoundException"/> when a key is missing and <see cref="InvalidCastException"/>
/// when it holds another type, both naming the key. <c>TryGet*</c> return false only when the key is missing;
/// a present key of the wrong type still throws, so a malformed model is never silently treated as "absent".
/// Integer getters accept any GGUF integer type whose value fits the requested type.
/// </summary>
public sealed class GgufMetadata : IEnumerable<KeyValuePair<string, GgufValue>>
{
    private readonly List<string> _order = [];
    private readonly Dictionary<string, GgufValue> _values = new(StringComparer.Ordinal);

    public int Count => _order.Count;

    public IReadOnlyList<string> Keys => _order;

    public bool ContainsKey(string key) => _values.ContainsKey(key);

    public bool TryGetValue(string key, out GgufValue value) => _values.TryGetValue(key, out value!);

    public GgufValue this[string key] =>
        _values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"GGUF metadata key '{key}' is missing");

    /// <summary>Adds or replaces a value; a replaced key keeps its position.</summary>
    public GgufMetadata Set(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        if (!_values.ContainsKey(key))
        {
            _order.Add(key);
        }
        _values[key] = value;
        return this;
    }

    public bool Remove(string key)
    {
        if (!_values.Remove(key))
        {
            return false;
        }
        _order.Remove(key);
        return true;
    }

    /// <summary>Adds a key that must not exist yet (the reader refuses duplicate keys).</summary>
    internal bool TryAddNew(string key, GgufValue value)
    {
        if (!_values.TryAdd(key, value))
        {
            return false;
        }
        _order.Add(key);
        return true;
    }

    public GgufMetadata SetString(string key, string value) => Set(key, GgufValue.FromString(value));
    public GgufMetadata SetBool(string key, bool value) => Set(key, GgufValue.FromBool(value));
    public GgufMetadata SetUInt8(string key, byte value) => Set(key, GgufValue.FromUInt8(value));
    public GgufMetadata SetInt8(string key, sbyte value) => Set(key, GgufValue.FromInt8(value));
    public GgufMetadata SetUInt16(string key, ushort value) => Set(key, GgufValue.FromUInt16(value));
    public GgufMetadata SetInt16(string key, short value) => Set(key, GgufValue.FromInt16(value));
    public GgufMetadata SetUInt32(string key, uint value) => Set(key, GgufValue.FromUInt32(value));
    public GgufMetadata SetInt32(string key, int value) => Set(key, GgufValue.FromInt32(value));
    public GgufMetadata SetUInt64(string key, ulong value) => Set(key, GgufValue.FromUInt64(value));
    public GgufMetadata SetInt64(string key, long value) => Set(key, GgufValue.FromInt64(value));
    public GgufMetadata SetFloat32(string key, float value) => Set(key, GgufValue.FromFloat32(value));
    public GgufMetadata SetFloat64(string key, double value) => Set(key, GgufValue.FromFloat64(value));
    public GgufMetadata SetStringArray(string key, ReadOnlySpan<string> values) => Set(key, GgufValue.FromArray(values));
    public GgufMetadata SetInt32Array(string key, ReadOnlySpan<int> values) => Set(key, GgufValue.FromArray(values));
    public GgufMetadata SetUInt32Array(string key, ReadOnlySpan<uint> values) => Set(key, GgufValue.FromArray(values));
    public GgufMetadata SetFloat32Array(string key, ReadOnlySpan<float> values) => Set(key, GgufValue.FromArray(values));

    public string GetString(string key) => Get(key, GgufValueType.String).AsString();

    public bool GetBool(string key) => Get(key, GgufValueType.Bool).AsBool();

    public byte GetUInt8(string key) => (byte)GetInteger(key, byte.MinValue, byte.MaxValue, "UINT8");
    public sbyte GetInt8(string key) => (sbyte)GetInteger(key, sbyte.MinValue, sbyte.MaxValue, "INT8");
    public ushort GetUInt16(string key) => (ushort)GetInteger(key, ushort.MinValue, ushort.MaxValue, "UINT16");
    public short GetInt16(string key) => (short)GetInteger(key, short.MinValue, short.MaxValue, "INT16");
    public uint GetUInt32(string key) => (uint)GetInteger(key, uint.MinValue, uint.MaxValue, "UINT32");
    public int GetInt32(string key) => (int)GetInteger(key, int.MinValue, int.MaxValue, "INT32");
    public ulong GetUInt64(string key) => (ulong)GetInteger(key, ulong.MinValue, ulong.MaxValue, "UINT64");
    public long GetInt64(string key) => (long)GetInteger(key, long.MinValue, long.MaxValue, "INT64");

    /// <summary>A FLOAT32 value, or a FLOAT64 value rounded to float.</summary>
    public float GetFloat32(string key) => (float)GetFloat(key);

    /// <summary>A FLOAT64 or FLOAT32 value.</summary>
    public double GetFloat64(string key) => GetFloat(key);

    /// <summary>A copy of an ARRAY[STRING] value.</summary>
    public string[] GetStringArray(string key) => GetArrayOf<string>(key, GgufValueType.String).ToArray();

    /// <summary>An array of any integer type whose elements all fit an int, copied.</summary>
    public int[] GetInt32Array(string key) =>
        this[key].RawValue is int[] ints
            ? (int[])ints.Clone()
            : GetIntegerArray(key, int.MinValue, int.MaxValue, "INT32", v => (int)v);

    /// <summary>An array of any integer type whose elements all fit a uint, copied.</summary>
    public uint[] GetUInt32Array(string key) => GetIntegerArray(key, uint.MinValue, uint.MaxValue, "UINT32", v => (uint)v);

    /// <summary>An array of any integer type whose elements all fit a long, copied.</summary>
    public long[] GetInt64Array(string key) => GetIntegerArray(key, long.MinValue, long.MaxValue, "INT64", v => (long)v);

    /// <summary>An ARRAY[FLOAT32] (or ARRAY[FLOAT64], rounded to float), copied.</summary>
    public float[] GetFloat32Array(string key)
    {
        var value = GetArray(key);
        return value.RawValue switch
        {
            float[] f => (float[])f.Clone(),
            double[] d => Array.ConvertAll(d, x => (float)x),
            _ => throw WrongType(key, value, "ARRAY[FLOAT32]"),
        };
    }

    /// <summary>An array value of any element type.</summary>
    public GgufValue GetArray(string key)
    {
        var value = this[key];
        return value.IsArray ? value : throw WrongType(key, value, "an ARRAY");
    }

    public bool TryGetString(string key, out string value) => TryGet(key, GetString, out value);
    public bool TryGetBool(string key, out bool value) => TryGet(key, GetBool, out value);
    public bool TryGetUInt32(string key, out uint value) => TryGet(key, GetUInt32, out value);
    public bool TryGetInt32(string key, out int value) => TryGet(key, GetInt32, out value);
    public bool TryGetUInt64(string key, out ulong value) => TryGet(key, GetUInt64, out value);
    public bool TryGetInt64(string key, out long value) => TryGet(key, GetInt64, out value);
    public bool TryGetFloat32(string key, out float value) => TryGet(key, GetFloat32, out value);
    public bool TryGetFloat64(string key, out double value) => TryGet(key, GetFloat64, out value);
    public bool TryGetStringArray(string key, out string[] value) => TryGet(key, GetStringArray, out value);
    public bool TryGetInt32Array(string key, out int[] value) => TryGet(key, GetInt32Array, out value);
    public bool TryGetFloat32Array(string key, out float[] value) => TryGet(key, GetFloat32Array, out value);

    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator()
    {
        foreach (var key in _order)
        {
            yield return new KeyValuePair<string, GgufValue>(key, _values[key]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private bool TryGet<T>(string key, Func<string, T> getter, out T value)
    {
        if (!_values.ContainsKey(key))
        {
            value = default!;
            return false;
        }
        value = getter(key);
        return true;
    }

    private GgufValue Get(string key, GgufValueType type)
    {
        var value = this[key];
        return value.Type == type ? value : throw WrongType(key, value, GgufValueTypes.SpecName(type));
    }

    private Int128 GetInteger(string key, Int128 min, Int128 max, string wanted)
    {
        var value = this[key];
        if (!value.TryGetInteger(out var v))
        {
            throw WrongType(key, value, wanted);
        }
        if (v < min || v > max)
        {
            throw new OverflowException($"GGUF metadata key '{key}' holds {v}, which does not fit {wanted}");
        }
        return v;
    }

    private double GetFloat(string key)
    {
        var value = this[key];
        return value.TryGetFloat(out var d) ? d : throw WrongType(key, value, "FLOAT32");
    }

    private ReadOnlySpan<T> GetArrayOf<T>(string key, GgufValueType elementType)
    {
        var value = GetArray(key);
        return value.ElementType == elementType
            ? value.AsSpan<T>()
            : throw WrongType(key, value, $"ARRAY[{GgufValueTypes.SpecName(elementType)}]");
    }

    private T[] GetIntegerArray<T>(string key, Int128 min, Int128 max, string wanted, Func<Int128, T> convert)
    {
        var value = GetArray(key);
        var source = value.RawValue as Array;
        Func<int, Int128>? at = source switch
        {
            byte[] a => i => a[i],
            sbyte[] a => i => a[i],
            ushort[] a => i => a[i],
            short[] a => i => a[i],
            uint[] a => i => a[i],
            int[] a => i => a[i],
            ulong[] a => i => a[i],
            long[] a => i => a[i],
            _ => null,
        };
        if (at is null || source is null)
        {
            throw WrongType(key, value, $"ARRAY[{wanted}]");
        }
        var result = new T[source.Length];
        for (var i = 0; i < result.Length; i++)
        {
            var v = at(i);
            if (v < min || v > max)
            {
                throw new OverflowException($"GGUF metadata key '{key}' element {i} holds {v}, which does not fit {wanted}");
            }
            result[i] = convert(v);
        }
        return result;
    }

    private static InvalidCastException WrongType(string key, GgufValue value, string wanted) =>
        new($"GGUF metadata key '{key}' is {value.Describe()}, not {wanted}");
}
