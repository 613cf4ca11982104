using System.Buffers.Binary;

namespace LlmDistill.IO;

/// <summary>
/// Checks a Parquet file's footer (its Thrift compact-protocol FileMetaData) before Parquet.Net decodes it. Parquet.Net
/// 6.1 trusts the element counts there: a damaged list of 2³¹ elements makes it skip 2³¹ fields past the end, minutes of
/// CPU for a 5 kB file (found by fuzzing, tests/fuzz/regressions). Here every count must fit in the bytes that are left
/// (each element takes at least one), nesting is bounded, and every type is one the protocol has, so the walk is
/// linear in the footer's size and a damaged footer ends in one sentence naming the byte offset.
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
            walker.Struct(depth: 0);
            return null;
        }
        catch (FormatException e)
        {
            return (start + walker.Position, e.Message);
        }
    }

    /// <summary>A skipper over compact-protocol values that refuses what cannot be there; <see cref="FormatException"/> on damage.</summary>
    ref struct Walker(ReadOnlySpan<byte> bytes)
    {
        readonly ReadOnlySpan<byte> _bytes = bytes;
        public int Position;

        int Left => _bytes.Length - Position;

        byte Byte() => Position < _bytes.Length ? _bytes[Position++] : throw new FormatException("the footer ends inside a value");

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

        /// <summary>A count of elements taking at least <paramref name="bytesEach"/> bytes each, which must fit in what is left.</summary>
        int Count(ulong count, int bytesEach) =>
            count <= (ulong)(Left / bytesEach) ? (int)count : throw new FormatException($"a count of {count} elements does not fit in the {Left} bytes left");

        void Skip(int n)
        {
            if (n > Left) throw new FormatException($"a value of {n} bytes does not fit in the {Left} bytes left");
            Position += n;
        }

        public void Struct(int depth)
        {
            if (depth > MaxDepth) throw new FormatException($"structures nest deeper than {MaxDepth}");
            while (true)
            {
                byte header = Byte();
                if (header == 0) return; // STOP
                int type = header & 0x0F;
                if (header >> 4 == 0) Varint(); // a field id that is not a small delta from the last one
                Value(type, depth, inCollection: false);
            }
        }

        void Value(int type, int depth, bool inCollection)
        {
            switch (type)
            {
                case 1 or 2: // booleans: in a field the type is the value; in a list one byte each
                    if (inCollection) Byte();
                    break;
                case 3: Byte(); break;             // i8
                case 4 or 5 or 6: Varint(); break; // i16, i32, i64 (zigzag)
                case 7: Skip(8); break;            // double
                case 8: Skip(Count(Varint(), 1)); break; // binary: length, bytes
                case 9 or 10: // list, set: size in the high nibble, 15 = a varint follows
                {
                    byte header = Byte();
                    ulong size = (ulong)(header >> 4);
                    if (size == 15) size = Varint();
                    int elementType = header & 0x0F;
                    int count = Count(size, 1);
                    for (int i = 0; i < count; i++) Value(elementType, depth + 1, inCollection: true);
                    break;
                }
                case 11: // map: varint size, then one byte of key and value types when not empty
                {
                    int count = Count(Varint(), 2);
                    if (count == 0) break;
                    byte types = Byte();
                    for (int i = 0; i < count; i++)
                    {
                        Value(types >> 4, depth + 1, inCollection: true);
                        Value(types & 0x0F, depth + 1, inCollection: true);
                    }
                    break;
                }
                case 12: Struct(depth + 1); break;
                default: throw new FormatException($"type code {type} is not a Thrift compact-protocol type");
            }
        }
    }
}
