using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace LlmDistill.Gguf;

/// <summary>
/// Sequential little-endian reads of the GGUF header region through a small window buffer. Every read and
/// every length is checked against the bytes left in the file before anything is allocated, and failures
/// become <see cref="GgufFormatException"/> naming the field and its offset.
/// </summary>
internal sealed class BoundedFileReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly UTF8Encoding LenientUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>Longest string accepted (1 GiB, the limit llama.cpp's reader uses too).</summary>
    public const long MaxStringBytes = 1L << 30;

    private readonly GgufDataSource _source;
    private readonly byte[] _window;
    private long _windowStart;
    private int _windowLength;

    public BoundedFileReader(GgufDataSource source, string path)
    {
        _source = source;
        Length = source.Length;
        Path = path;
        _window = new byte[(int)Math.Clamp(Length, 16, 64 * 1024)];
    }

    public string Path { get; }

    public long Length { get; }

    public long Position { get; set; }

    public long Remaining => Length - Position;

    public GgufFormatException Error(string field, long offset, string problem, string? value = null) =>
        new(Path, field, offset, problem, value);

    /// <summary>Fails unless <paramref name="count"/> more bytes exist after the current position.</summary>
    public void Require(long count, string field, long fieldOffset)
    {
        if (count > Remaining)
        {
            throw Error(field, fieldOffset, $"is truncated: it needs {count} bytes but the file has {Math.Max(0, Remaining)} left");
        }
    }

    public void ReadExactly(Span<byte> destination, string field, long fieldOffset)
    {
        Require(destination.Length, field, fieldOffset);
        while (destination.Length > 0)
        {
            var inWindow = Position - _windowStart;
            if (inWindow < 0 || inWindow >= _windowLength)
            {
                if (destination.Length >= _window.Length)
                {
                    ReadDirect(destination, field, fieldOffset);
                    return;
                }
                Fill(field, fieldOffset);
                inWindow = 0;
            }
            var n = Math.Min(destination.Length, _windowLength - (int)inWindow);
            _window.AsSpan((int)inWindow, n).CopyTo(destination);
            destination = destination[n..];
            Position += n;
        }
    }

    public byte ReadUInt8(string field) => ReadScalar(1, field)[0];

    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(ReadScalar(2, field));

    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(ReadScalar(4, field));

    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(ReadScalar(8, field));

    /// <summary>
    /// A GGUF string: uint64 byte length then UTF-8 bytes. <paramref name="strict"/> refuses invalid UTF-8
    /// (keys and tensor names); otherwise invalid bytes decode to U+FFFD.
    /// </summary>
    public string ReadString(string field, bool strict, long maxBytes = MaxStringBytes)
    {
        var start = Position;
        var length = ReadUInt64(field);
        if (length > (ulong)Remaining)
        {
            throw Error(field, start, "is larger than the file allows", $"length {length}");
        }
        if (length > (ulong)Math.Min(maxBytes, MaxStringBytes))
        {
            throw Error(field, start, $"is longer than the {maxBytes} bytes allowed", $"length {length}");
        }
        var n = (int)length; // fits: maxBytes is at most MaxStringBytes
        if (n == 0)
        {
            return string.Empty;
        }
        var rented = n <= 256 ? null : ArrayPool<byte>.Shared.Rent(n);
        try
        {
            Span<byte> bytes = rented is null ? stackalloc byte[n] : rented.AsSpan(0, n);
            ReadExactly(bytes, field, start);
            try
            {
                return (strict ? StrictUtf8 : LenientUtf8).GetString(bytes);
            }
            catch (DecoderFallbackException e)
            {
                throw new GgufFormatException(Path, field, start, "is not valid UTF-8", inner: e);
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private ReadOnlySpan<byte> ReadScalar(int size, string field)
    {
        var start = Position;
        Require(size, field, start);
        var inWindow = Position - _windowStart;
        if (inWindow < 0 || inWindow + size > _windowLength)
        {
            Fill(field, start);
            inWindow = 0;
        }
        Position += size;
        return _window.AsSpan((int)inWindow, size);
    }

    private void Fill(string field, long fieldOffset)
    {
        _windowStart = Position;
        _windowLength = 0;
        var want = (int)Math.Min(_window.Length, Length - Position);
        while (_windowLength < want)
        {
            var n = _source.Read(_window.AsSpan(_windowLength, want - _windowLength), _windowStart + _windowLength);
            if (n == 0)
            {
                throw Error(field, fieldOffset, "could not be read: the file ended early (was it changed while reading?)");
            }
            _windowLength += n;
        }
    }

    private void ReadDirect(Span<byte> destination, string field, long fieldOffset)
    {
        while (destination.Length > 0)
        {
            var n = _source.Read(destination, Position);
            if (n == 0)
            {
                throw Error(field, fieldOffset, "could not be read: the file ended early (was it changed while reading?)");
            }
            destination = destination[n..];
            Position += n;
        }
    }
}
