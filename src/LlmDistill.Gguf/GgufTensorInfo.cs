namespace LlmDistill.Gguf;

/// <summary>
/// A tensor's entry in the GGUF tensor-info table. <see cref="Dimensions"/> are in ggml "ne" order: ne[0] is the
/// innermost (contiguous) dimension, so a PyTorch weight of shape [out, in] has Dimensions [in, out].
/// </summary>
public sealed class GgufTensorInfo
{
    private readonly long[] _dimensions;

    /// <param name="name">Tensor name.</param>
    /// <param name="dimensions">Shape in ggml ne order, 1 to 4 dimensions, each &gt; 0.</param>
    /// <param name="type">Storage type; ne[0] must be a multiple of its block size.</param>
    /// <param name="offset">Byte offset of the data relative to the start of the data section.</param>
    public GgufTensorInfo(string name, ReadOnlySpan<long> dimensions, GgmlType type, long offset)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (dimensions.Length is < 1 or > 4)
        {
            throw new ArgumentException($"tensor '{name}' has {dimensions.Length} dimensions; ggml allows 1 to 4", nameof(dimensions));
        }
        if (!GgmlTypeTraits.IsKnown(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, $"tensor '{name}' has an unknown ggml type");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        long count = 1;
        foreach (var n in dimensions)
        {
            if (n <= 0)
            {
                throw new ArgumentException($"tensor '{name}' has a dimension of {n}; every dimension must be > 0", nameof(dimensions));
            }
            count = checked(count * n);
        }
        var blockSize = GgmlTypeTraits.BlockSize(type);
        if (dimensions[0] % blockSize != 0)
        {
            throw new ArgumentException(
                $"tensor '{name}' has rows of {dimensions[0]} elements, not a multiple of the {type} block size {blockSize}", nameof(dimensions));
        }
        Name = name;
        _dimensions = dimensions.ToArray();
        Type = type;
        Offset = offset;
        ElementCount = count;
        ByteSize = GgmlTypeTraits.ByteSize(type, count);
    }

    public string Name { get; }

    /// <summary>Shape in ggml ne order (innermost first).</summary>
    public IReadOnlyList<long> Dimensions => _dimensions;

    public GgmlType Type { get; }

    /// <summary>Byte offset of the data relative to the start of the data section.</summary>
    public long Offset { get; }

    /// <summary>Bytes of tensor data, without alignment padding.</summary>
    public long ByteSize { get; }

    public long ElementCount { get; }

    /// <summary>Shape in PyTorch/NumPy order (outermost first), i.e. <see cref="Dimensions"/> reversed.</summary>
    public long[] RowMajorShape()
    {
        var shape = (long[])_dimensions.Clone();
        Array.Reverse(shape);
        return shape;
    }

    public override string ToString() => $"{Name} {Type} [{string.Join(", ", _dimensions)}] @ {Offset}";
}
