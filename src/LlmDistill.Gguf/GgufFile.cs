using System.Buffers;
using LlmDistill.Gguf.Dequantization;

namespace LlmDistill.Gguf;

/// <summary>
/// An open GGUF file (versions 2 and 3). <see cref="Open(string)"/> parses and validates the header, metadata and tensor
/// table; tensor data stays on disk and is read on demand with positional reads, so a multi-GB model costs only
/// its header in memory. Reads of tensor data are thread-safe. Malformed files throw <see cref="GgufFormatException"/>.
/// </summary>
public sealed class GgufFile : IDisposable
{
    // Tensor data is decoded through a buffer of about this many bytes, so decoding never copies a whole tensor's bytes.
    private const int DecodeChunkBytes = 1 << 20;

    private readonly GgufDataSource _source;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    private GgufFile(string path, GgufDataSource source, GgufHeaderParser.Result header)
    {
        Path = path;
        _source = source;
        Length = source.Length;
        Version = header.Version;
        Metadata = header.Metadata;
        Tensors = header.Tensors;
        Alignment = header.Alignment;
        DataStart = header.DataStart;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    public string Path { get; }

    /// <summary>File size in bytes.</summary>
    public long Length { get; }

    /// <summary>GGUF format version: 2 or 3.</summary>
    public uint Version { get; }

    public GgufMetadata Metadata { get; }

    /// <summary>Tensors in file order.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>Alignment of the data section and tensor offsets in bytes (general.alignment, default 32).</summary>
    public uint Alignment { get; }

    /// <summary>Absolute byte offset of the data section; tensor offsets are relative to it.</summary>
    public long DataStart { get; }

    /// <summary>Opens and validates a GGUF file. Throws <see cref="GgufFormatException"/> when it is malformed.</summary>
    public static GgufFile Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Open(GgufDataSource.OpenFile(path), path);
    }

    /// <summary>
    /// Reads a GGUF image held in memory (e.g. in tests); <paramref name="name"/> stands for the path in messages.
    /// The memory must stay unchanged while the returned object is used.
    /// </summary>
    public static GgufFile Open(ReadOnlyMemory<byte> bytes, string name = "<memory>") =>
        Open(GgufDataSource.FromMemory(bytes), name);

    private static GgufFile Open(GgufDataSource source, string path)
    {
        if (!BitConverter.IsLittleEndian)
        {
            source.Dispose();
            throw new PlatformNotSupportedException("LlmDistill.Gguf reads little-endian GGUF files on little-endian machines only");
        }
        try
        {
            var header = GgufHeaderParser.Parse(new BoundedFileReader(source, path));
            return new GgufFile(path, source, header);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public GgufTensorInfo GetTensor(string name) =>
        _byName.TryGetValue(name, out var info) ? info : throw new KeyNotFoundException($"GGUF file '{Path}' has no tensor '{name}'");

    public bool TryGetTensor(string name, out GgufTensorInfo info) => _byName.TryGetValue(name, out info!);

    /// <summary>The tensor's raw bytes in its stored type.</summary>
    public byte[] ReadTensorBytes(GgufTensorInfo info)
    {
        CheckOwned(info);
        if (info.ByteSize > Array.MaxLength)
        {
            throw new NotSupportedException(
                $"tensor '{info.Name}' has {info.ByteSize} bytes, more than one array holds; read it in parts with ReadTensorBytes(info, offset, destination)");
        }
        var bytes = GC.AllocateUninitializedArray<byte>((int)info.ByteSize);
        ReadTensorBytes(info, 0, bytes);
        return bytes;
    }

    /// <summary>Reads <paramref name="destination"/>.Length bytes of the tensor starting <paramref name="byteOffset"/> bytes into its data.</summary>
    public void ReadTensorBytes(GgufTensorInfo info, long byteOffset, Span<byte> destination)
    {
        CheckOwned(info);
        if (byteOffset < 0 || byteOffset > info.ByteSize || destination.Length > info.ByteSize - byteOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(byteOffset),
                $"bytes {byteOffset}..{byteOffset + destination.Length} are outside tensor '{info.Name}' ({info.ByteSize} bytes)");
        }
        var position = DataStart + info.Offset + byteOffset;
        while (destination.Length > 0)
        {
            var n = _source.Read(destination, position);
            if (n == 0)
            {
                throw new GgufFormatException(Path, $"tensor '{info.Name}' data", position, "could not be read: the file ended early (was it truncated after opening?)");
            }
            destination = destination[n..];
            position += n;
        }
    }

    /// <summary>The tensor decoded to float (see <see cref="GgmlDequantizer.IsSupported"/> for the types handled).</summary>
    public float[] DequantizeToFloat(GgufTensorInfo info)
    {
        CheckOwned(info);
        CheckDecodable(info);
        if (info.ElementCount > Array.MaxLength)
        {
            throw new NotSupportedException(
                $"tensor '{info.Name}' has {info.ElementCount} elements, more than one array holds; use DequantizeToFloat(info, destination)");
        }
        var values = GC.AllocateUninitializedArray<float>((int)info.ElementCount);
        DequantizeToFloat(info, values);
        return values;
    }

    /// <summary>Decodes the tensor into <paramref name="destination"/>, which must hold exactly its element count.</summary>
    public void DequantizeToFloat(GgufTensorInfo info, Span<float> destination)
    {
        CheckOwned(info);
        CheckDecodable(info);
        if (destination.Length != info.ElementCount)
        {
            throw new ArgumentException($"tensor '{info.Name}' has {info.ElementCount} elements but destination holds {destination.Length}", nameof(destination));
        }
        var blockSize = GgmlTypeTraits.BlockSize(info.Type);
        var bytesPerBlock = GgmlTypeTraits.BytesPerBlock(info.Type);
        var blocksPerChunk = Math.Max(1, DecodeChunkBytes / bytesPerBlock);
        var totalBlocks = info.ElementCount / blockSize;
        var buffer = ArrayPool<byte>.Shared.Rent(blocksPerChunk * bytesPerBlock);
        try
        {
            for (long block = 0; block < totalBlocks; block += blocksPerChunk)
            {
                var blocks = (int)Math.Min(blocksPerChunk, totalBlocks - block);
                var bytes = buffer.AsSpan(0, blocks * bytesPerBlock);
                ReadTensorBytes(info, block * bytesPerBlock, bytes);
                GgmlDequantizer.Dequantize(info.Type, bytes, destination.Slice((int)(block * blockSize), blocks * blockSize));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The named tensor decoded to float.</summary>
    public float[] ReadTensorAsFloat(string name) => DequantizeToFloat(GetTensor(name));

    public void Dispose() => _source.Dispose();

    private void CheckOwned(GgufTensorInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!_byName.TryGetValue(info.Name, out var own) || !ReferenceEquals(own, info))
        {
            throw new ArgumentException($"tensor info '{info.Name}' does not come from GGUF file '{Path}'", nameof(info));
        }
    }

    private static void CheckDecodable(GgufTensorInfo info)
    {
        if (!GgmlDequantizer.IsSupported(info.Type))
        {
            throw new NotSupportedException($"tensor '{info.Name}' is stored as {info.Type}, which cannot be dequantized to float yet; its bytes can still be read");
        }
    }
}
