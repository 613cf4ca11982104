using System.Buffers;
using System.Numerics;
using System.Text;
using LlmDistill.Gguf.Quantization;

namespace LlmDistill.Gguf;

/// <summary>
/// Builds a GGUF v3 file llama.cpp can load: metadata, then tensors whose data is produced lazily at write time,
/// one tensor at a time, so peak memory is about the largest tensor rather than the whole model.
/// Tensor data is laid out in the order added, each tensor aligned to <c>general.alignment</c> (default 32).
/// </summary>
/// <example>
/// <code>
/// var w = new GgufWriter();
/// w.Metadata.SetString("general.architecture", "llama").SetUInt32("llama.context_length", 2048);
/// w.AddTensor("output_norm.weight", [hidden], GgmlType.F32, () => norm);          // float[] → ReadOnlyMemory
/// w.AddTensor("output.weight", [hidden, vocab], GgmlType.Q8_0, () => LoadWeight()); // ne order: [in, out]
/// w.Write("model.gguf");
/// </code>
/// </example>
public sealed class GgufWriter
{
    /// <summary>Version written; version 3 is what current llama.cpp writes.</summary>
    public const uint Version = 3;

    // Float sources are encoded through a buffer of this many elements (a multiple of every block size used).
    private const int EncodeChunkElements = 64 * 1024;

    // llama.cpp stores names in char[64] including the terminator.
    private const int MaxTensorNameBytes = 63;

    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public GgufWriter() : this(new GgufMetadata())
    {
    }

    public GgufWriter(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        Metadata = metadata;
    }

    /// <summary>Metadata to write, in insertion order. Set <c>general.alignment</c> (UINT32) to change the alignment.</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>The tensors added so far, with the offsets they will get; offsets depend on the current alignment.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors => Layout(GetAlignment());

    /// <summary>
    /// Adds a tensor whose float data <paramref name="source"/> returns when the file is written (it is called once,
    /// and must return exactly the element count, in ggml order: ne[0] varies fastest).
    /// </summary>
    /// <param name="name">Unique name of at most 63 UTF-8 bytes.</param>
    /// <param name="dimensions">Shape in ggml ne order (innermost first): a PyTorch [out, in] weight is [in, out].</param>
    /// <param name="type">Stored type: F32, F16, BF16 or Q8_0 (Q8_0 needs ne[0] divisible by 32).</param>
    /// <param name="source">Produces the data at write time.</param>
    public GgufWriter AddTensor(string name, ReadOnlySpan<long> dimensions, GgmlType type, Func<ReadOnlyMemory<float>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!GgmlQuantizer.IsSupported(type))
        {
            throw new NotSupportedException($"tensor '{name}': the writer encodes float data as F32, F16, BF16 or Q8_0, not {type}; use AddEncodedTensor for other types");
        }
        Add(name, dimensions, type, source, null);
        return this;
    }

    /// <summary>Adds a tensor from float data already in memory (kept referenced until written).</summary>
    public GgufWriter AddTensor(string name, ReadOnlySpan<long> dimensions, GgmlType type, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return AddTensor(name, dimensions, type, () => data);
    }

    /// <summary>
    /// Adds a tensor of any known ggml type from bytes already encoded in that type; <paramref name="source"/> is called
    /// at write time and must return exactly the tensor's byte size.
    /// </summary>
    public GgufWriter AddEncodedTensor(string name, ReadOnlySpan<long> dimensions, GgmlType type, Func<ReadOnlyMemory<byte>> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Add(name, dimensions, type, null, source);
        return this;
    }

    /// <summary>
    /// Writes the file atomically: into <c>&lt;path&gt;.tmp-&lt;random&gt;</c> beside it, flushed to disk, then renamed over
    /// <paramref name="path"/>. On any failure the temporary file is deleted and <paramref name="path"/> is untouched.
    /// </summary>
    public void Write(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var temp = $"{full}.tmp-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray(), 0, 6)}";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 20))
            {
                Write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // The original failure matters more than a leftover temporary file.
            }
            throw;
        }
    }

    /// <summary>Writes the GGUF file to <paramref name="stream"/> front to back (no seeking).</summary>
    public void Write(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var alignment = GetAlignment();
        var layout = Layout(alignment);
        var w = new GgufStreamWriter(stream);

        w.WriteBytes("GGUF"u8);
        w.WriteUInt32(Version);
        w.WriteUInt64((ulong)layout.Length);
        w.WriteUInt64((ulong)Metadata.Count);
        foreach (var (key, value) in Metadata)
        {
            w.WriteString(key);
            w.WriteUInt32((uint)value.Type);
            w.WriteValueBody(value);
        }
        foreach (var info in layout)
        {
            w.WriteString(info.Name);
            w.WriteUInt32((uint)info.Dimensions.Count);
            foreach (var n in info.Dimensions)
            {
                w.WriteUInt64((ulong)n);
            }
            w.WriteUInt32((uint)info.Type);
            w.WriteUInt64((ulong)info.Offset);
        }
        w.Pad(alignment);

        var dataStart = w.Written;
        for (var i = 0; i < layout.Length; i++)
        {
            if (w.Written - dataStart != layout[i].Offset)
            {
                throw new InvalidOperationException($"internal layout error at tensor '{layout[i].Name}'");
            }
            WriteTensorData(w, layout[i], _tensors[i]);
            w.Pad(alignment);
        }
        stream.Flush();
    }

    private void Add(string name, ReadOnlySpan<long> dimensions, GgmlType type, Func<ReadOnlyMemory<float>>? floats, Func<ReadOnlyMemory<byte>>? bytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
        {
            throw new ArgumentException($"tensor name '{name}' is longer than the {MaxTensorNameBytes} UTF-8 bytes llama.cpp accepts", nameof(name));
        }
        if (_names.Contains(name))
        {
            throw new ArgumentException($"a tensor named '{name}' was already added", nameof(name));
        }
        // Validates the shape and type; the offset is assigned at layout time.
        var info = new GgufTensorInfo(name, dimensions, type, 0);
        _names.Add(name);
        _tensors.Add(new PendingTensor(info, floats, bytes));
    }

    private uint GetAlignment()
    {
        if (!Metadata.TryGetValue(GgufHeaderParser.AlignmentKey, out var value))
        {
            return GgufHeaderParser.DefaultAlignment;
        }
        if (value.Type != GgufValueType.UInt32 || !BitOperations.IsPow2((uint)value.RawValue))
        {
            throw new InvalidOperationException($"metadata '{GgufHeaderParser.AlignmentKey}' must be a UINT32 power of two, not {value.Describe()} {value}");
        }
        return (uint)value.RawValue;
    }

    private GgufTensorInfo[] Layout(uint alignment)
    {
        var result = new GgufTensorInfo[_tensors.Count];
        long offset = 0;
        for (var i = 0; i < result.Length; i++)
        {
            var t = _tensors[i].Info;
            result[i] = new GgufTensorInfo(t.Name, t.Dimensions.ToArray(), t.Type, offset);
            offset = checked(offset + (t.ByteSize + alignment - 1) / alignment * alignment);
        }
        return result;
    }

    private static void WriteTensorData(GgufStreamWriter w, GgufTensorInfo info, PendingTensor pending)
    {
        if (pending.Bytes is not null)
        {
            var bytes = pending.Bytes();
            if (bytes.Length != info.ByteSize)
            {
                throw new InvalidOperationException($"tensor '{info.Name}' ({info.Type}, {info.ElementCount} elements) needs {info.ByteSize} bytes but its source returned {bytes.Length}");
            }
            w.WriteBytes(bytes.Span);
            return;
        }

        var floats = pending.Floats!();
        if (floats.Length != info.ElementCount)
        {
            throw new InvalidOperationException($"tensor '{info.Name}' has {info.ElementCount} elements but its source returned {floats.Length}");
        }
        var chunkBytes = (int)GgmlTypeTraits.ByteSize(info.Type, EncodeChunkElements);
        var buffer = ArrayPool<byte>.Shared.Rent(chunkBytes);
        try
        {
            for (var start = 0; start < floats.Length; start += EncodeChunkElements)
            {
                var chunk = floats.Span.Slice(start, Math.Min(EncodeChunkElements, floats.Length - start));
                var encoded = buffer.AsSpan(0, (int)GgmlTypeTraits.ByteSize(info.Type, chunk.Length));
                GgmlQuantizer.Quantize(info.Type, chunk, encoded);
                w.WriteBytes(encoded);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private sealed record PendingTensor(GgufTensorInfo Info, Func<ReadOnlyMemory<float>>? Floats, Func<ReadOnlyMemory<byte>>? Bytes);
}
