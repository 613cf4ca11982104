using System.Buffers.Binary;
using System.Text;

namespace LlmDistill.Gguf.Tests;

/// <summary>Writes GGUF fields one by one, valid or not, to build hostile files by hand. Tracks field offsets.</summary>
public sealed class RawGguf
{
    private readonly List<byte> _bytes = [];

    public long Position => _bytes.Count;

    public RawGguf Bytes(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }
        return this;
    }

    public RawGguf U32(uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        return Bytes(b);
    }

    public RawGguf U64(ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        return Bytes(b);
    }

    public RawGguf Str(string s) => U64((ulong)Encoding.UTF8.GetByteCount(s)).Bytes(Encoding.UTF8.GetBytes(s));

    /// <summary>Magic, version, tensor count, kv count.</summary>
    public RawGguf Header(ulong tensors, ulong kvs, uint version = 3) => Bytes("GGUF"u8).U32(version).U64(tensors).U64(kvs);

    public RawGguf KvU32(string key, uint value) => Str(key).U32((uint)GgufValueType.UInt32).U32(value);

    public RawGguf KvString(string key, string value) => Str(key).U32((uint)GgufValueType.String).Str(value);

    public RawGguf TensorInfo(string name, ulong[] dims, uint type, ulong offset)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var d in dims)
        {
            U64(d);
        }
        return U32(type).U64(offset);
    }

    public RawGguf PadTo(int alignment)
    {
        while (_bytes.Count % alignment != 0)
        {
            _bytes.Add(0);
        }
        return this;
    }

    public RawGguf Zeros(int n) => Bytes(new byte[n]);

    public byte[] ToArray() => [.. _bytes];
}
