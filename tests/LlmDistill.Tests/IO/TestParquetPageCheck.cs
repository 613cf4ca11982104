using DuckDB.NET.Data;
using LlmDistill.Generation.Datasets;
using LlmDistill.IO;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using Parquet;
using Parquet.Meta;
using Parquet.Schema;

namespace LlmDistill.Tests.IO;

public class TestParquetPageCheck
{
    // Thrift compact protocol, as a page header is written: a field header (id delta, wire type), zigzag varints.
    static byte[] Varint(long value)
    {
        var bytes = new List<byte>();
        ulong v = (ulong)((value << 1) ^ (value >> 63));
        do { bytes.Add((byte)((v & 0x7F) | (v > 0x7F ? 0x80u : 0))); v >>= 7; } while (v > 0);
        return [.. bytes];
    }

    static byte[] I32(int delta, long value) => [(byte)((delta << 4) | 5), .. Varint(value)];

    /// <summary>A page header: type, uncompressed and compressed sizes, then the type's own header as field <paramref name="headerField"/>.</summary>
    static byte[] Page(int type, long uncompressed, long compressed, int headerField, byte[] header) =>
        [.. I32(1, type), .. I32(1, uncompressed), .. I32(1, compressed), (byte)(((headerField - 3) << 4) | 12), .. header, 0];

    static byte[] DataPage(long values, long bodyBytes) => [.. Page(0, bodyBytes, bodyBytes, 5, [.. I32(1, values), .. I32(1, 0), .. I32(1, 3), .. I32(1, 3), 0]), .. new byte[Math.Max(0, bodyBytes)]];

    /// <summary>The check of one chunk made of <paramref name="pages"/> after the 4 bytes of magic, claiming <paramref name="values"/>.</summary>
    static (long Offset, string Why)? Check(long values, params byte[][] pages) => Check(CompressionCodec.UNCOMPRESSED, values, pages);

    static (long Offset, string Why)? Check(CompressionCodec codec, long values, params byte[][] pages)
    {
        byte[] chunk = [.. pages.SelectMany(p => p)];
        using var file = new MemoryStream([.. "PAR1"u8.ToArray(), .. chunk]);
        var meta = new ColumnMetaData { DataPageOffset = 4, TotalCompressedSize = chunk.Length, NumValues = values, Codec = codec };
        return ParquetPageCheck.Find(file, meta, dataEnd: file.Length);
    }

    [Fact]
    public void Sound_pages_holding_the_chunks_values_pass()
    {
        Assert.Null(Check(5, DataPage(3, 10), DataPage(2, 7)));
    }

    [Theory]
    [InlineData(3, 1000, "a page of 1000 bytes does not fit in the 10 bytes left in the chunk")]
    [InlineData(3, -12, "a page of -12 bytes does not fit")] // a negative size would send Parquet.Net back to the same page
    public void A_page_larger_than_its_chunk_is_refused(long values, int claimed, string why)
    {
        var damage = Check(values, [.. Page(0, 10, claimed, 5, [.. I32(1, values), 0]), .. new byte[10]]);
        Assert.NotNull(damage);
        Assert.Equal(4, damage.Value.Offset);
        Assert.StartsWith(why, damage.Value.Why);
    }

    [Fact]
    public void A_page_claiming_far_more_bytes_uncompressed_than_any_codec_gives_is_refused()
    {
        var damage = Check(1, [.. Page(0, 1 << 30, 10, 5, [.. I32(1, 1), 0]), .. new byte[10]]);
        Assert.Equal("a page of 10 bytes claims 1073741824 bytes uncompressed", damage?.Why);
    }

    [Fact]
    public void A_dictionary_claiming_more_entries_than_bytes_is_refused()
    {
        byte[] dictionary = [.. Page(2, 8, 8, 7, [.. I32(1, 100_000_000), 0]), .. new byte[8]];
        Assert.Equal("a dictionary page of 8 bytes claims 100000000 values", Check(1, dictionary, DataPage(1, 4))?.Why);
    }

    [Fact]
    public void Pages_holding_fewer_values_than_the_chunk_claims_are_refused_at_the_chunks_end()
    {
        byte[] first = DataPage(3, 10), second = DataPage(1, 2);
        var damage = Check(5, first, second);
        Assert.Equal((4L + first.Length + second.Length, "the chunk's pages hold 4 values where its metadata claims 5"), damage);
    }

    [Fact]
    public void A_data_page_claiming_more_values_than_the_chunk_is_refused()
    {
        Assert.Equal("a data page claims 9 values, more than the 5 the chunk has left", Check(5, DataPage(9, 10))?.Why);
    }

    [Fact]
    public void Statistics_longer_than_the_chunk_are_refused_before_Parquet_Net_allocates_them()
    {
        // DataPageHeader field 5: Statistics, field 1 (max): a binary of 2²⁸ bytes claimed, 3 there.
        byte[] statistics = [0x4C, 0x18, 0x80, 0x80, 0x80, 0x80, 0x01, 1, 2, 3];
        var damage = Check(1, Page(0, 0, 0, 5, [.. I32(1, 1), .. statistics]));
        Assert.StartsWith("a count of 268435456 elements does not fit", damage?.Why);
    }

    [Fact]
    public void A_header_longer_than_the_first_read_is_read_whole()
    {
        // Statistics of 2,000 bytes: past the 256 bytes read first, within the chunk.
        byte[] statistics = [0x4C, 0x18, 0xD0, 0x0F, .. new byte[2000], 0];
        Assert.Null(Check(1, [.. Page(0, 4, 4, 5, [.. I32(1, 1), .. statistics, 0]), .. new byte[4]]));
    }

    [Fact]
    public void Compressed_data_claiming_more_than_the_pages_uncompressed_size_is_refused()
    {
        // Snappy opens with the uncompressed length (a varint), Zstandard's frame header may carry a content size:
        // their decompressors allocate that much whatever the page header says (found by fuzzing: 268 MB).
        byte[] snappy = [0x80, 0x80, 0x80, 0x80, 0x01, 0, 0, 0, 0, 0];  // 2²⁸
        byte[] zstd = [0x28, 0xB5, 0x2F, 0xFD, 0xA0, 0x00, 0x00, 0x00, 0x40, 0]; // single segment, 4-byte size 2³⁰
        Assert.Equal("a page of 10 bytes uncompressed holds snappy data claiming 268435456 bytes",
            Check(CompressionCodec.SNAPPY, 1, [.. Page(0, 10, 10, 5, [.. I32(1, 1), 0]), .. snappy])?.Why);
        Assert.Equal("a page of 10 bytes uncompressed holds zstd data claiming 1073741824 bytes",
            Check(CompressionCodec.ZSTD, 1, [.. Page(0, 10, 10, 5, [.. I32(1, 1), 0]), .. zstd])?.Why);
        byte[] honest = [0x0A, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // claims 10
        Assert.Null(Check(CompressionCodec.SNAPPY, 1, [.. Page(0, 10, 10, 5, [.. I32(1, 1), 0]), .. honest]));
    }

    [Theory]
    [InlineData(1, "page type 1 is not a data or dictionary page")]
    [InlineData(7, "page type 7 is not a data or dictionary page")]
    public void Pages_Parquet_Net_does_not_read_are_refused(int type, string why)
    {
        Assert.Equal(why, Check(1, [.. Page(type, 4, 4, 6, [0]), .. new byte[4]])?.Why);
    }

    [Fact]
    public void A_chunk_running_into_the_footer_is_refused()
    {
        using var file = new MemoryStream(new byte[100]);
        var meta = new ColumnMetaData { DataPageOffset = 4, TotalCompressedSize = 1_000_000, NumValues = 1 };
        Assert.StartsWith("the chunk's size of 1000000 bytes does not fit", ParquetPageCheck.Find(file, meta, dataEnd: 90)?.Why);
    }

    public static TheoryData<string> Codecs => new() { "uncompressed", "snappy", "gzip", "zstd" };

    [Theory]
    [MemberData(nameof(Codecs))]
    public async Task Files_written_by_DuckDB_pass_with_every_codec(string codec)
    {
        using var folder = new TempDirectory();
        string path = folder.File($"{codec}.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // Repeated questions (a dictionary page), several row groups and pages.
            command.CommandText = $"COPY (SELECT 'question ' || (i % 50) AS question, 'answer ' || i AS answer FROM range(20000) t(i)) " +
                $"TO '{path}' (FORMAT PARQUET, COMPRESSION {codec}, ROW_GROUP_SIZE 5000)";
            command.ExecuteNonQuery();
        }
        await AssertEveryRowGroupPasses(path, rowGroups: 4);
        Assert.Equal(20000, DatasetReader.Open(path).Count());
    }

    [Theory]
    [InlineData(CompressionMethod.None)]
    [InlineData(CompressionMethod.Snappy)]
    [InlineData(CompressionMethod.Gzip)]
    [InlineData(CompressionMethod.Zstd)]
    public async Task Files_written_by_Parquet_Net_pass_with_every_codec(CompressionMethod codec)
    {
        using var folder = new TempDirectory();
        string path = folder.File("net.parquet");
        var question = new DataField<string>("question");
        var id = new DataField<long?>("id");
        await using (var stream = System.IO.File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(id, question), stream, new ParquetOptions { CompressionMethod = codec }))
        {
            for (int g = 0; g < 3; g++)
            {
                using var group = writer.CreateRowGroup();
                await group.WriteAsync(id, new ReadOnlyMemory<long?>([.. Enumerable.Range(g * 3000, 3000).Select(i => i % 7 == 0 ? null : (long?)i)]));
                await group.WriteAsync(question, Enumerable.Range(0, 3000).Select(i => $"q{i % 40}").ToArray());
            }
        }
        await AssertEveryRowGroupPasses(path, rowGroups: 3);
        Assert.Equal(9000, DatasetReader.Open(path).Count());
    }

    static async Task AssertEveryRowGroupPasses(string path, int rowGroups)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        Assert.Equal(rowGroups, reader.Metadata!.RowGroups.Count);
        foreach (var rowGroup in reader.Metadata.RowGroups) Assert.Null(ParquetPageCheck.Find(path, rowGroup, reader.Schema));
    }

    [Theory]
    [InlineData("page-header-statistics-length.bin", "row group 0, byte offset")]
    [InlineData("page-snappy-length-claim.bin", "holds snappy data claiming")]
    [InlineData("rows-claimed-over-file-size.bin", "it claims 5136320 rows in a file of 679 bytes")]
    public void Data_sets_the_fuzzer_found_allocating_hundreds_of_megabytes_are_refused_in_one_sentence(string name, string where)
    {
        byte[] input = System.IO.File.ReadAllBytes(RepositoryFiles.Path(Path.Combine("tests", "fuzz", "regressions", "datasets", name)));
        using var folder = new TempDirectory();
        string path = folder.Write("data.parquet", input[1..]); // the first byte is the fuzz target's format selector
        var e = Assert.Throws<DatasetFormatException>(() => DatasetReader.Open(path).ToList());
        Assert.Contains(path, e.Message);
        Assert.True(e.Message.Contains(where, StringComparison.Ordinal), e.Message);
        Assert.Single(e.Message.Split('\n'));
    }
}
