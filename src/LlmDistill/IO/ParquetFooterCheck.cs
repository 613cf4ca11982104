using System.Buffers.Binary;

namespace LlmDistill.IO;

/// <summary>
/// Checks a Parquet file's footer (its Thrift compact-protocol FileMetaData) before Parquet.Net decodes it. Parquet.Net
/// 6.1 trusts the element counts there (a damaged list of 2³¹ elements: minutes of CPU, or a 2 GB list allocated, for a
/// 5 kB file; found by fuzzing, tests/fuzz/regressions) and reads a field it knows by the type it expects, whatever
/// wire type the field's header gives. So this walk knows that type for every field of every footer structure
/// (<see cref="ParquetThriftSchema"/>, from the format's parquet.thrift): a known field or list whose wire type differs
/// is refused, every count must fit in the bytes that are left, nesting is bounded, and fields it does not know are
/// skipped the way Parquet.Net skips them. The walk is linear in the footer's size; a damaged footer ends in one
/// sentence naming the byte offset.
/// </summary>
internal static class ParquetFooterCheck
{
    const int MaxDepth = 64;
    static ReadOnlySpan<byte> Magic => "PAR1"u8;

    /// <summary>Throws <see cref="InvalidDataException"/> naming <paramref name="path"/> and the offset when the footer is damaged.</summary>
    public static void Check(string path)
    {
        if (Find(path) is { } damage)
            throw new InvalidDataException($"'{path}' is damaged and cannot be read (footer, byte offset {damage.Offset}): {damage.Why}.");
    }

    /// <summary>Where the footer of <paramref name="path"/> is damaged and why (a clause), or null when it is sound.</summary>
    public static (long Offset, string Why)? Find(string path)
    {
        using var file = File.OpenRead(path);
        long length = file.Length;
        if (length < 12) return (0, $"{length} bytes is too short for a Parquet file (magic, footer, footer length, magic)");
        Span<byte> edge = stackalloc byte[8];
        file.ReadExactly(edge[..4]);
        if (!edge[..4].SequenceEqual(Magic)) return (0, "it does not start with the Parquet magic PAR1");
        file.Position = length - 8;
        file.ReadExactly(edge);
        if (!edge[4..].SequenceEqual(Magic)) return (length - 4, "it does not end with the Parquet magic PAR1");
        uint footerLength = BinaryPrimitives.ReadUInt32LittleEndian(edge);
        if (footerLength == 0 || footerLength > length - 12)
            return (length - 8, $"the footer length {footerLength} does not fit in a file of {length} bytes");
        long start = length - 8 - footerLength;
        var footer = new byte[footerLength];
        file.Position = start;
        file.ReadExactly(footer);
        var walker = new Walker(footer);
        try
        {
            walker.Struct(ParquetThriftSchema.FileMetaData, depth: 0);
            return null;
        }
        catch (FormatException e)
        {
            return (start + walker.Position, e.Message);
        }
    }

    /// <summary>
    /// A walk over compact-protocol values that refuses what cannot be there; <see cref="FormatException"/> on damage.
    /// With <paramref name="integers"/>, every i32 field it meets is kept there by structure name and field id (and
    /// every boolean, as 1 or 0).
    /// </summary>
    internal ref struct Walker(ReadOnlySpan<byte> bytes, string what = "footer", Dictionary<(string Structure, short Field), int>? integers = null)
    {
        readonly ReadOnlySpan<byte> _bytes = bytes;
        readonly Dictionary<(string, short), int>? _integers = integers;
        public int Position;
        /// <summary>Set when the walk ran out of bytes (so a caller that read a prefix of the bytes can read more and retry).</summary>
        public bool RanOut;

        int Left => _bytes.Length - Position;

        byte Byte()
        {
            if (Position < _bytes.Length) return _bytes[Position++];
            RanOut = true;
            throw new FormatException($"the {what} ends inside a value");
        }

        ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                byte b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
            throw new FormatException("a variable-length integer runs over 10 bytes");
        }

        /// <summary>
        /// A varint read as Parquet.Net reads field ids, list sizes and lengths: 32 bits, each byte's shift taken modulo
        /// 32 (C#'s shift), however many bytes, so that this walk sees the values Parquet.Net will see.
        /// </summary>
        uint Varint32()
        {
            uint value = 0;
            for (int shift = 0; ; shift += 7)
            {
                byte b = Byte();
                value |= (uint)(b & 0x7F) << shift;
                if ((b & 0x80) == 0) return value;
            }
        }

        /// <summary>A count of elements, which must fit in what is left at one byte each (what every writer spends at least).</summary>
        int Count(long count)
        {
            if (count >= 0 && count <= Left) return (int)count;
            RanOut = count > 0;
            throw new FormatException($"a count of {count} elements does not fit in the {Left} bytes left");
        }

        /// <summary>A list or set header: the size in the high nibble (15: a varint follows), the element type in the low one.</summary>
        (int Count, int ElementType) ListHeader()
        {
            byte header = Byte();
            long size = header >> 4;
            if (size == 15) size = (int)Varint32();
            return (Count(size), header & 0x0F);
        }

        void Skip(int n)
        {
            if (n > Left)
            {
                RanOut = true;
                throw new FormatException($"a value of {n} bytes does not fit in the {Left} bytes left");
            }
            Position += n;
        }

        /// <summary>A structure of the footer schema: its known fields by their expected types, the others skipped.</summary>
        public void Struct(ParquetThriftSchema.Structure structure, int depth)
        {
            if (depth > MaxDepth) throw new FormatException($"structures nest deeper than {MaxDepth}");
            short last = 0;
            while (true)
            {
                byte header = Byte();
                if (header == 0) return; // STOP
                int wire = header & 0x0F;
                short id = header >> 4 == 0 ? (short)ZigzagInt(Varint32()) : (short)(last + (header >> 4));
                last = id;
                if (structure.Fields.TryGetValue(id, out var expected))
                {
                    if (!ParquetThriftSchema.Matches(wire, expected.Wire))
                        throw new FormatException($"field {id} of {structure.Name} has wire type {wire}, where {ParquetThriftSchema.Describe(expected.Wire)} is expected");
                    if (expected.Wire == ParquetThriftSchema.I32 && _integers is not null) _integers[(structure.Name, id)] = ZigzagInt(Varint32());
                    else if (expected.Wire == ParquetThriftSchema.Bool && _integers is not null) _integers[(structure.Name, id)] = wire == 1 ? 1 : 0;
                    else Known(expected, $"field {id} of {structure.Name}", depth);
                }
                else Skip(wire, depth);
            }
        }

        static int ZigzagInt(uint n) => (int)(n >> 1) ^ -(int)(n & 1);

        /// <summary>A value read the way Parquet.Net reads a field it knows: by its expected type.</summary>
        void Known(ParquetThriftSchema.Field field, string where, int depth)
        {
            switch (field.Wire)
            {
                case ParquetThriftSchema.List:
                {
                    var (count, elementType) = ListHeader();
                    if (!ParquetThriftSchema.Matches(elementType, field.Element!.Wire))
                        throw new FormatException($"{where} is a list of wire type {elementType}, where {ParquetThriftSchema.Describe(field.Element.Wire)} is expected");
                    for (int i = 0; i < count; i++) Known(field.Element, where, depth + 1);
                    break;
                }
                case ParquetThriftSchema.Struct: Struct(field.Structure!, depth + 1); break;
                case ParquetThriftSchema.Bool: break; // a field's value is its wire type
                default: Skip(field.Wire, depth); break;
            }
        }

        /// <summary>
        /// A value Parquet.Net 6.1 skips, by its wire type, as its SkipField does: a boolean takes no byte, even in a list;
        /// a skipped structure is read as field headers up to the stop byte, without the fields' values (so its bytes
        /// are walked the same way here, or Parquet.Net runs off the footer's end, where its stream returns 0xFF for
        /// ever and a varint never ends: the hang the fuzzer found); a set or a map it does not read at all.
        /// </summary>
        void Skip(int type, int depth)
        {
            switch (type)
            {
                case 1 or 2: break;                // booleans: in a field the type is the value
                case 3: Skip(1); break;            // i8
                case 4 or 5 or 6: Varint(); break; // i16, i32, i64 (zigzag)
                case 7: Skip(8); break;            // double
                case 8: Skip(Count((int)Varint32())); break; // binary: length, bytes
                case 9: // list
                {
                    if (depth > MaxDepth) throw new FormatException($"lists nest deeper than {MaxDepth}");
                    var (count, elementType) = ListHeader();
                    for (int i = 0; i < count; i++) Skip(elementType, depth + 1);
                    break;
                }
                case 10 or 11: throw new FormatException($"a field of wire type {type} (a {(type == 10 ? "set" : "map")}) cannot be in a Parquet footer");
                case 12: FieldHeadersOnly(); break;
                default: throw new FormatException($"type code {type} is not a Thrift compact-protocol type");
            }
        }

        /// <summary>Field headers up to the stop byte, their values not read (how Parquet.Net skips a structure).</summary>
        void FieldHeadersOnly()
        {
            byte header;
            while ((header = Byte()) != 0)
                if (header >> 4 == 0) Varint32(); // a full field id follows
        }
    }
}
