using System.Buffers.Binary;
using Parquet.Meta;
using Parquet.Schema;

namespace LlmDistill.IO;

/// <summary>
/// Checks the page headers of a row group's column chunks before Parquet.Net 6.1 reads them, as
/// <see cref="ParquetFooterCheck"/> does for the footer. Parquet.Net allocates what a page header claims before reading
/// it (a statistics value, the compressed page, the uncompressed page, the dictionary: found by fuzzing, 268 MB for a
/// 655-byte file), reads pages until the values the chunk claims are read (a page claiming nothing, or a negative size,
/// and it never ends), and past the chunk's end. So every page header of every chunk is walked with the page-header
/// schema (<see cref="ParquetThriftSchema.PageHeader"/>) within the chunk's bytes, its sizes must fit there, and the
/// data pages must hold the values the chunk claims. Reads one header at a time (a few hundred bytes per page).
/// </summary>
internal static class ParquetPageCheck
{
    /// <summary>The largest page header read (statistics included); real ones are tens of bytes.</summary>
    const int MaxHeaderBytes = 1 << 20;

    /// <summary>
    /// The most a page may grow when decompressed: deflate's limit (1032:1), above Snappy's and LZ4's, plus 64 KiB
    /// for small pages. A codec that does better on real data than this is refused, a price paid for a bound.
    /// </summary>
    const long MaxExpansion = 1032, ExpansionSlack = 64 * 1024;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the file, row group, column and byte offset of the first damaged page.</summary>
    public static void Check(string path, RowGroup rowGroup, int rowGroupIndex, ParquetSchema schema)
    {
        if (Find(path, rowGroup, schema) is { } damage)
            throw new InvalidDataException($"'{path}' is damaged and cannot be read (row group {rowGroupIndex}, column {damage.Column}, byte offset {damage.Offset}): {damage.Why}.");
    }

    /// <summary>The first damaged page of the row group: its column, byte offset and what is wrong (a clause); null when all are sound.</summary>
    /// <paramref name="schema"/> gives each column's definition level, which decides where a v2 page's compressed part starts.
    public static (string Column, long Offset, string Why)? Find(string path, RowGroup rowGroup, ParquetSchema schema)
    {
        using var file = File.OpenRead(path);
        long dataEnd = DataEnd(file);
        for (int c = 0; c < rowGroup.Columns.Count; c++)
        {
            var meta = rowGroup.Columns[c].MetaData;
            if (meta is null) continue; // Parquet.Net refuses a chunk without metadata in its own words
            var field = meta.PathInSchema is { Count: > 0 } ? schema.DataFields.FirstOrDefault(f => f.Path.Equals(new FieldPath(meta.PathInSchema))) : null;
            if (Find(file, meta, dataEnd, field?.MaxDefinitionLevel ?? 0) is { } damage)
                return (meta.PathInSchema is { Count: > 0 } names ? string.Join('.', names) : $"#{c}", damage.Offset, damage.Why);
        }
        return null;
    }

    /// <summary>Where the pages end and the footer begins: file length − 8 − footer length (the footer check has read it).</summary>
    static long DataEnd(FileStream file)
    {
        Span<byte> length = stackalloc byte[4];
        file.Position = file.Length - 8;
        file.ReadExactly(length);
        return file.Length - 8 - BinaryPrimitives.ReadUInt32LittleEndian(length);
    }

    /// <summary>The first damaged page of one column chunk in <paramref name="file"/>, whose pages end at <paramref name="dataEnd"/> (offset, a clause), or null.</summary>
    internal static (long Offset, string Why)? Find(Stream file, ColumnMetaData meta, long dataEnd, int maxDefinitionLevel = 0)
    {
        // Where Parquet.Net starts: the smallest offset given (dictionary, data, index page).
        long[] offsets = [.. new[] { meta.DictionaryPageOffset ?? 0, meta.DataPageOffset, meta.IndexPageOffset ?? 0 }.Where(o => o != 0)];
        if (offsets.Length == 0) return (0, "the column chunk gives no page offset");
        long start = offsets.Min();
        if (start < 4 || start >= dataEnd) return (start, $"the chunk starts outside the file's pages (bytes 4 to {dataEnd})");
        if (meta.TotalCompressedSize <= 0 || meta.TotalCompressedSize > dataEnd - start)
            return (start, $"the chunk's size of {meta.TotalCompressedSize} bytes does not fit between its start and the footer at {dataEnd}");
        if (meta.NumValues < 0) return (start, $"the chunk claims {meta.NumValues} values");
        long end = start + meta.TotalCompressedSize, position = start, values = 0;
        var integers = new Dictionary<(string Structure, short Field), int>();
        while (values < meta.NumValues)
        {
            if (position >= end)
                return (position, $"the chunk's pages hold {values} values where its metadata claims {meta.NumValues}");
            integers.Clear();
            int headerLength = ReadHeader(file, position, end, integers, out string? headerDamage);
            if (headerDamage is not null) return (position, headerDamage);
            int Int(string structure, short field, int absent = 0) => integers.GetValueOrDefault((structure, field), absent);
            int type = Int("PageHeader", 1), uncompressed = Int("PageHeader", 2), compressed = Int("PageHeader", 3);
            long body = position + headerLength;
            if (compressed < 0 || compressed > end - body)
                return (position, $"a page of {compressed} bytes does not fit in the {end - body} bytes left in the chunk");
            if (uncompressed < 0 || uncompressed > compressed * MaxExpansion + ExpansionSlack)
                return (position, $"a page of {compressed} bytes claims {uncompressed} bytes uncompressed");
            // Data page v2: levels kept uncompressed in front of the values; compressed unless the flag says not.
            int definitionLevels = Int("DataPageHeaderV2", 5), repetitionLevels = Int("DataPageHeaderV2", 6);
            bool v2Compressed = Int("DataPageHeaderV2", 7, absent: 1) == 1;
            switch (type)
            {
                case 2: // dictionary: each value takes at least a byte uncompressed
                    int entries = Int("DictionaryPageHeader", 1);
                    if (entries < 0 || entries > uncompressed)
                        return (position, $"a dictionary page of {uncompressed} bytes claims {entries} values");
                    break;
                case 0 or 3: // data page, data page v2
                    int count = type == 0 ? Int("DataPageHeader", 1) : Int("DataPageHeaderV2", 1);
                    if (count < 0 || count > meta.NumValues - values)
                        return (position, $"a data page claims {count} values, more than the {meta.NumValues - values} the chunk has left");
                    if (type == 3)
                    {
                        int nulls = Int("DataPageHeaderV2", 2);
                        if (nulls < 0 || nulls > count) return (position, $"a data page of {count} values claims {nulls} nulls");
                        if (definitionLevels < 0 || repetitionLevels < 0 || (long)definitionLevels + repetitionLevels > compressed)
                            return (position, $"a data page of {compressed} bytes claims {(long)definitionLevels + repetitionLevels} bytes of levels");
                    }
                    values += count;
                    break;
                default:
                    return (position, $"page type {type} is not a data or dictionary page");
            }
            // Where Parquet.Net's decompression starts: after a v2 page's definition levels, when the column has them.
            long compressedStart = body + (type == 3 && maxDefinitionLevel > 0 ? definitionLevels : 0);
            if ((type != 3 || v2Compressed)
                && CodecClaim(file, meta.Codec, compressedStart, body + compressed) is { } claim
                && claim > uncompressed)
                return (position, $"a page of {uncompressed} bytes uncompressed holds {meta.Codec.ToString().ToLowerInvariant()} data claiming {claim} bytes");
            position = body + compressed;
        }
        return null;
    }

    /// <summary>
    /// Walks the page header at <paramref name="position"/>, reading a few hundred bytes and more while the header runs
    /// on (up to <see cref="MaxHeaderBytes"/> and the chunk's end); its length, or the damage in <paramref name="damage"/>.
    /// </summary>
    static int ReadHeader(Stream file, long position, long end, Dictionary<(string, short), int> integers, out string? damage)
    {
        long available = Math.Min(end - position, MaxHeaderBytes);
        for (int size = (int)Math.Min(256, available); ; size = (int)Math.Min(size * 4L, available))
        {
            var bytes = new byte[size];
            file.Position = position;
            file.ReadExactly(bytes);
            var walker = new ParquetFooterCheck.Walker(bytes, "page header", integers);
            try
            {
                walker.Struct(ParquetThriftSchema.PageHeader, depth: 0);
                damage = null;
                return walker.Position;
            }
            catch (FormatException e)
            {
                if (walker.RanOut && size < available) { integers.Clear(); continue; }
                damage = walker.RanOut && available == MaxHeaderBytes && end - position > MaxHeaderBytes
                    ? $"a page header runs over {MaxHeaderBytes} bytes"
                    : e.Message;
                return 0;
            }
        }
    }

    /// <summary>
    /// The length the compressed data at <paramref name="start"/> claims for itself, which its decompressor allocates
    /// whatever the page header says (found by fuzzing: snappy data claiming 268 MB in a 751-byte file): Snappy's
    /// leading varint, Zstandard's frame content size (first frame). Null for other codecs or no claim.
    /// </summary>
    static long? CodecClaim(Stream file, CompressionCodec codec, long start, long end)
    {
        if (codec is not (CompressionCodec.SNAPPY or CompressionCodec.ZSTD) || start >= end) return null;
        var bytes = new byte[(int)Math.Min(18, end - start)];
        file.Position = start;
        file.ReadExactly(bytes);
        if (codec == CompressionCodec.SNAPPY)
        {
            long length = 0;
            for (int i = 0, shift = 0; i < bytes.Length && shift < 35; i++, shift += 7)
            {
                length |= (long)(bytes[i] & 0x7F) << shift;
                if ((bytes[i] & 0x80) == 0) return length;
            }
            return null; // not a varint: Snappier refuses it
        }
        // Zstandard frame: magic, frame header descriptor, [window descriptor], [dictionary id], [content size].
        if (bytes.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != 0xFD2FB528) return null;
        int descriptor = bytes[4], sizeFlag = descriptor >> 6;
        bool singleSegment = (descriptor & 0x20) != 0;
        int at = 5 + (singleSegment ? 0 : 1) + (descriptor & 3) switch { 0 => 0, 1 => 1, 2 => 2, _ => 4 };
        int sizeBytes = sizeFlag switch { 0 => singleSegment ? 1 : 0, 1 => 2, 2 => 4, _ => 8 };
        if (sizeBytes == 0 || at + sizeBytes > bytes.Length) return null;
        var field = bytes.AsSpan(at, sizeBytes);
        return sizeBytes switch
        {
            1 => field[0],
            2 => BinaryPrimitives.ReadUInt16LittleEndian(field) + 256L,
            4 => BinaryPrimitives.ReadUInt32LittleEndian(field),
            _ => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(field), long.MaxValue),
        };
    }
}
