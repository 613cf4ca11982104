using System.Numerics;
using System.Runtime.InteropServices;

namespace LlmDistill.Gguf;

/// <summary>
/// Parses and validates everything before the data section: header, metadata, tensor infos, alignment.
/// Counts and lengths are checked against the bytes left in the file before anything is allocated, so a hostile
/// file can make the parser allocate at most a small multiple of its own size.
/// </summary>
internal sealed class GgufHeaderParser
{
    public const uint DefaultAlignment = 32;
    public const string AlignmentKey = "general.alignment";

    // Bytes a tensor info occupies at least: name length (8) + n_dims (4) + type (4) + offset (8).
    private const int MinTensorInfoBytes = 24;

    // Bytes a metadata pair occupies at least: key length (8) + value type (4) + a 1-byte value.
    private const int MinKeyValueBytes = 13;

    // Deeper nesting is refused to keep recursion bounded; real files never nest at all.
    private const int MaxArrayDepth = 8;

    // Tensor names are at most 64 bytes in the GGUF spec.
    private const int MaxTensorNameBytes = 64;

    private readonly BoundedFileReader _r;
    private readonly Dictionary<string, long> _valueOffsets = new(StringComparer.Ordinal);

    private GgufHeaderParser(BoundedFileReader reader) => _r = reader;

    public sealed record Result(
        uint Version, GgufMetadata Metadata, List<GgufTensorInfo> Tensors, uint Alignment, long DataStart);

    public static Result Parse(BoundedFileReader reader) => new GgufHeaderParser(reader).Parse();

    private Result Parse()
    {
        ReadMagic();
        var version = ReadVersion();
        var tensorCount = ReadCount("tensor_count", MinTensorInfoBytes);
        var kvCount = ReadCount("metadata_kv_count", MinKeyValueBytes);

        var metadata = new GgufMetadata();
        for (long i = 0; i < kvCount; i++)
        {
            ReadKeyValue(metadata, i);
        }
        var alignment = ReadAlignment(metadata);

        var pending = new List<(GgufTensorInfoDraft Draft, long OffsetField)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (long i = 0; i < tensorCount; i++)
        {
            pending.Add(ReadTensorInfo(i, names));
        }

        var headerEnd = _r.Position;
        var dataStart = AlignUp(headerEnd, alignment);
        if (tensorCount > 0 && dataStart > _r.Length)
        {
            throw _r.Error("data section", headerEnd, $"would start at {dataStart}, past the end of the file ({_r.Length} bytes)");
        }

        var tensors = new List<GgufTensorInfo>(pending.Count);
        foreach (var (draft, offsetField) in pending)
        {
            tensors.Add(CheckPlacement(draft, offsetField, alignment, dataStart));
        }
        CheckNoOverlap(tensors, pending);
        return new Result(version, metadata, tensors, alignment, dataStart);
    }

    private void ReadMagic()
    {
        Span<byte> magic = stackalloc byte[4];
        _r.ReadExactly(magic, "magic", 0);
        if (!magic.SequenceEqual("GGUF"u8))
        {
            throw _r.Error("magic", 0, "is not 'GGUF'; this is not a GGUF file", $"0x{Convert.ToHexString(magic)}");
        }
    }

    private uint ReadVersion()
    {
        var version = _r.ReadUInt32("version");
        return version switch
        {
            2 or 3 => version,
            1 => throw _r.Error("version", 4, "is GGUFv1, which is not supported (only versions 2 and 3 are)", "1"),
            _ => throw _r.Error("version", 4, "is not supported (only versions 2 and 3 are)", version.ToString()),
        };
    }

    private long ReadCount(string field, int minBytesEach)
    {
        var offset = _r.Position;
        var count = _r.ReadUInt64(field);
        if (count > (ulong)(_r.Remaining / minBytesEach))
        {
            throw _r.Error(field, offset, "is larger than the file allows", count.ToString());
        }
        return (long)count;
    }

    private void ReadKeyValue(GgufMetadata metadata, long index)
    {
        var keyOffset = _r.Position;
        var keyField = $"metadata key #{index}";
        var key = _r.ReadString(keyField, strict: true);
        if (key.Length == 0)
        {
            throw _r.Error(keyField, keyOffset, "is empty");
        }
        var type = ReadValueType($"metadata '{key}' value type");
        _valueOffsets[key] = _r.Position;
        var value = ReadValue(type, $"metadata '{key}'", depth: 0);
        if (!metadata.TryAddNew(key, value))
        {
            throw _r.Error(keyField, keyOffset, "repeats a key defined earlier", $"'{key}'");
        }
    }

    private GgufValueType ReadValueType(string field)
    {
        var offset = _r.Position;
        var raw = _r.ReadUInt32(field);
        var type = (GgufValueType)raw;
        return GgufValueTypes.IsDefined(type) ? type : throw _r.Error(field, offset, "is not a GGUF value type", raw.ToString());
    }

    private GgufValue ReadValue(GgufValueType type, string field, int depth)
    {
        var v = field + " value";
        return type switch
        {
            GgufValueType.UInt8 => GgufValue.FromUInt8(_r.ReadUInt8(v)),
            GgufValueType.Int8 => GgufValue.FromInt8((sbyte)_r.ReadUInt8(v)),
            GgufValueType.UInt16 => GgufValue.FromUInt16(_r.ReadUInt16(v)),
            GgufValueType.Int16 => GgufValue.FromInt16((short)_r.ReadUInt16(v)),
            GgufValueType.UInt32 => GgufValue.FromUInt32(_r.ReadUInt32(v)),
            GgufValueType.Int32 => GgufValue.FromInt32((int)_r.ReadUInt32(v)),
            GgufValueType.UInt64 => GgufValue.FromUInt64(_r.ReadUInt64(v)),
            GgufValueType.Int64 => GgufValue.FromInt64((long)_r.ReadUInt64(v)),
            GgufValueType.Float32 => GgufValue.FromFloat32(BitConverter.UInt32BitsToSingle(_r.ReadUInt32(v))),
            GgufValueType.Float64 => GgufValue.FromFloat64(BitConverter.UInt64BitsToDouble(_r.ReadUInt64(v))),
            GgufValueType.Bool => GgufValue.FromBool(_r.ReadUInt8(v) != 0),
            GgufValueType.String => GgufValue.FromString(_r.ReadString(v, strict: false)),
            GgufValueType.Array => ReadArray(field, depth),
            _ => throw new InvalidOperationException("unreachable: value type was validated"),
        };
    }

    private GgufValue ReadArray(string field, int depth)
    {
        var typeOffset = _r.Position;
        var elementType = ReadValueType(field + " array element type");
        if (elementType == GgufValueType.Array && depth + 1 >= MaxArrayDepth)
        {
            throw _r.Error(field + " array element type", typeOffset, $"nests arrays deeper than {MaxArrayDepth} levels");
        }
        var lengthField = field + " array length";
        var lengthOffset = _r.Position;
        var length = _r.ReadUInt64(lengthField);
        if (length > (ulong)(_r.Remaining / GgufValueTypes.MinEncodedSize(elementType)))
        {
            throw _r.Error(lengthField, lengthOffset, "is larger than the file allows", length.ToString());
        }
        if (length > (ulong)Array.MaxLength)
        {
            throw _r.Error(lengthField, lengthOffset, "is larger than a .NET array can hold", length.ToString());
        }
        var n = (int)length;
        var data = field + " array data";
        var dataOffset = _r.Position;
        switch (elementType)
        {
            case GgufValueType.UInt8: return ReadPrimitives<byte>(elementType, n, data, dataOffset);
            case GgufValueType.Int8: return ReadPrimitives<sbyte>(elementType, n, data, dataOffset);
            case GgufValueType.UInt16: return ReadPrimitives<ushort>(elementType, n, data, dataOffset);
            case GgufValueType.Int16: return ReadPrimitives<short>(elementType, n, data, dataOffset);
            case GgufValueType.UInt32: return ReadPrimitives<uint>(elementType, n, data, dataOffset);
            case GgufValueType.Int32: return ReadPrimitives<int>(elementType, n, data, dataOffset);
            case GgufValueType.UInt64: return ReadPrimitives<ulong>(elementType, n, data, dataOffset);
            case GgufValueType.Int64: return ReadPrimitives<long>(elementType, n, data, dataOffset);
            case GgufValueType.Float32: return ReadPrimitives<float>(elementType, n, data, dataOffset);
            case GgufValueType.Float64: return ReadPrimitives<double>(elementType, n, data, dataOffset);
            case GgufValueType.Bool:
            {
                var bools = new bool[n];
                var raw = MemoryMarshal.AsBytes(bools.AsSpan());
                _r.ReadExactly(raw, data, dataOffset);
                for (var i = 0; i < raw.Length; i++)
                {
                    raw[i] = raw[i] != 0 ? (byte)1 : (byte)0; // any nonzero byte is true, as in llama.cpp
                }
                return GgufValue.Arr(elementType, bools);
            }
            case GgufValueType.String:
            {
                var strings = new string[n];
                for (var i = 0; i < n; i++)
                {
                    strings[i] = _r.ReadString($"{field}[{i}]", strict: false);
                }
                return GgufValue.Arr(elementType, strings);
            }
            default:
            {
                var arrays = new GgufValue[n];
                for (var i = 0; i < n; i++)
                {
                    arrays[i] = ReadArray($"{field}[{i}]", depth + 1);
                }
                return GgufValue.Arr(elementType, arrays);
            }
        }
    }

    private GgufValue ReadPrimitives<T>(GgufValueType elementType, int n, string field, long offset) where T : unmanaged
    {
        var values = new T[n];
        _r.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), field, offset);
        return GgufValue.Arr(elementType, values);
    }

    private uint ReadAlignment(GgufMetadata metadata)
    {
        if (!metadata.TryGetValue(AlignmentKey, out var value))
        {
            return DefaultAlignment;
        }
        var offset = _valueOffsets[AlignmentKey];
        if (value.Type != GgufValueType.UInt32)
        {
            throw _r.Error(AlignmentKey, offset, "must be a UINT32", $"of type {value.Describe()}");
        }
        var alignment = (uint)value.RawValue;
        if (!BitOperations.IsPow2(alignment))
        {
            throw _r.Error(AlignmentKey, offset, "is not a power of two", alignment.ToString());
        }
        return alignment;
    }

    private (GgufTensorInfoDraft, long) ReadTensorInfo(long index, HashSet<string> names)
    {
        var nameOffset = _r.Position;
        var nameField = $"tensor #{index} name";
        var name = _r.ReadString(nameField, strict: true, maxBytes: MaxTensorNameBytes);
        if (name.Length == 0)
        {
            throw _r.Error(nameField, nameOffset, "is empty");
        }
        if (!names.Add(name))
        {
            throw _r.Error(nameField, nameOffset, "repeats a tensor name used earlier", $"'{name}'");
        }

        var nDimsField = $"tensor '{name}' n_dims";
        var nDimsOffset = _r.Position;
        var nDims = _r.ReadUInt32(nDimsField);
        if (nDims is < 1 or > 4)
        {
            throw _r.Error(nDimsField, nDimsOffset, "must be 1 to 4", nDims.ToString());
        }
        var dims = new long[nDims];
        long elements = 1;
        for (var j = 0; j < nDims; j++)
        {
            var dimField = $"tensor '{name}' dimension {j}";
            var dimOffset = _r.Position;
            var ne = _r.ReadUInt64(dimField);
            if (ne == 0 || ne > long.MaxValue)
            {
                throw _r.Error(dimField, dimOffset, "must be between 1 and 2^63-1", ne.ToString());
            }
            dims[j] = (long)ne;
            if (elements > long.MaxValue / dims[j])
            {
                throw _r.Error(dimField, dimOffset, "makes the element count overflow a 64-bit integer", ne.ToString());
            }
            elements *= dims[j];
        }

        var typeField = $"tensor '{name}' type";
        var typeOffset = _r.Position;
        var rawType = _r.ReadUInt32(typeField);
        var type = (GgmlType)rawType;
        if (!GgmlTypeTraits.IsKnown(type))
        {
            throw _r.Error(typeField, typeOffset, "is not a ggml type this reader knows", rawType.ToString());
        }
        var blockSize = GgmlTypeTraits.BlockSize(type);
        if (dims[0] % blockSize != 0)
        {
            throw _r.Error(typeField, typeOffset,
                $"needs rows that are a multiple of {blockSize} elements but dimension 0 is {dims[0]}", type.ToString());
        }
        if (elements / blockSize > long.MaxValue / GgmlTypeTraits.BytesPerBlock(type))
        {
            throw _r.Error(typeField, typeOffset, "makes the tensor's byte size overflow a 64-bit integer", type.ToString());
        }

        var offsetField = _r.Position;
        var offset = _r.ReadUInt64($"tensor '{name}' offset");
        return (new GgufTensorInfoDraft(name, dims, type, offset), offsetField);
    }

    private GgufTensorInfo CheckPlacement(GgufTensorInfoDraft d, long offsetField, uint alignment, long dataStart)
    {
        var field = $"tensor '{d.Name}' offset";
        if (d.Offset % alignment != 0)
        {
            throw _r.Error(field, offsetField, $"is not a multiple of the alignment {alignment}", d.Offset.ToString());
        }
        var byteSize = GgmlTypeTraits.ByteSize(d.Type, d.Dims.Aggregate(1L, (a, b) => a * b));
        var available = _r.Length - dataStart;
        if (d.Offset > (ulong)available || byteSize > available - (long)d.Offset)
        {
            throw _r.Error(field, offsetField,
                $"puts the tensor's {byteSize} bytes past the end of the file (data section has {available} bytes)", d.Offset.ToString());
        }
        return new GgufTensorInfo(d.Name, d.Dims, d.Type, (long)d.Offset);
    }

    private void CheckNoOverlap(List<GgufTensorInfo> tensors, List<(GgufTensorInfoDraft Draft, long OffsetField)> pending)
    {
        var order = Enumerable.Range(0, tensors.Count).OrderBy(i => tensors[i].Offset).ToArray();
        for (var k = 1; k < order.Length; k++)
        {
            var prev = tensors[order[k - 1]];
            var cur = tensors[order[k]];
            if (prev.Offset + prev.ByteSize > cur.Offset)
            {
                throw _r.Error($"tensor '{cur.Name}' offset", pending[order[k]].OffsetField,
                    $"overlaps tensor '{prev.Name}' (bytes {prev.Offset}..{prev.Offset + prev.ByteSize})", cur.Offset.ToString());
            }
        }
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;

    private sealed record GgufTensorInfoDraft(string Name, long[] Dims, GgmlType Type, ulong Offset);
}
