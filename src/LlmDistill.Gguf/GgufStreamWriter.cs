using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace LlmDistill.Gguf;

/// <summary>Little-endian GGUF primitives onto a forward-only stream, counting bytes for padding.</summary>
internal sealed class GgufStreamWriter(Stream stream)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public long Written { get; private set; }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        stream.Write(bytes);
        Written += bytes.Length;
    }

    public void WriteUInt8(byte value) => WriteBytes([value]);

    public void WriteUInt16(ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(b, value);
        WriteBytes(b);
    }

    public void WriteUInt32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        WriteBytes(b);
    }

    public void WriteUInt64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        WriteBytes(b);
    }

    /// <summary>A GGUF string: uint64 byte length, then UTF-8 bytes (no terminator).</summary>
    public void WriteString(string value)
    {
        var bytes = Utf8.GetBytes(value);
        WriteUInt64((ulong)bytes.Length);
        WriteBytes(bytes);
    }

    /// <summary>Writes zero bytes until the total written is a multiple of <paramref name="alignment"/>.</summary>
    public void Pad(uint alignment)
    {
        var padding = (int)((alignment - Written % alignment) % alignment);
        Span<byte> zeros = stackalloc byte[Math.Min(padding, 256)];
        zeros.Clear();
        while (padding > 0)
        {
            var n = Math.Min(padding, zeros.Length);
            WriteBytes(zeros[..n]);
            padding -= n;
        }
    }

    /// <summary>A metadata value without its leading type (the caller writes that): scalar, string, or array body.</summary>
    public void WriteValueBody(GgufValue value)
    {
        switch (value.RawValue)
        {
            case byte v: WriteUInt8(v); break;
            case sbyte v: WriteUInt8((byte)v); break;
            case ushort v: WriteUInt16(v); break;
            case short v: WriteUInt16((ushort)v); break;
            case uint v: WriteUInt32(v); break;
            case int v: WriteUInt32((uint)v); break;
            case ulong v: WriteUInt64(v); break;
            case long v: WriteUInt64((ulong)v); break;
            case float v: WriteUInt32(BitConverter.SingleToUInt32Bits(v)); break;
            case double v: WriteUInt64(BitConverter.DoubleToUInt64Bits(v)); break;
            case bool v: WriteUInt8(v ? (byte)1 : (byte)0); break;
            case string v: WriteString(v); break;
            default: WriteArray(value); break;
        }
    }

    private void WriteArray(GgufValue value)
    {
        WriteUInt32((uint)value.ElementType);
        WriteUInt64((ulong)value.Count);
        switch (value.RawValue)
        {
            case string[] strings:
                foreach (var s in strings)
                {
                    WriteString(s);
                }
                break;
            case GgufValue[] arrays:
                foreach (var a in arrays)
                {
                    WriteArray(a);
                }
                break;
            case bool[] bools:
                foreach (var b in bools)
                {
                    WriteUInt8(b ? (byte)1 : (byte)0);
                }
                break;
            case byte[] a: WriteBytes(a); break;
            case sbyte[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case ushort[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case short[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case uint[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case int[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case ulong[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case long[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case float[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            case double[] a: WriteBytes(MemoryMarshal.AsBytes(a.AsSpan())); break;
            default: throw new InvalidOperationException($"unexpected GGUF array payload {value.RawValue.GetType()}");
        }
    }
}
