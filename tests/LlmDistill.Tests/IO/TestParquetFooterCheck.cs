using System.Diagnostics;
using LlmDistill.IO;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;

namespace LlmDistill.Tests.IO;

public class TestParquetFooterCheck
{
    static byte[] File(params byte[][] parts) => [.. parts.SelectMany(p => p)];
    static byte[] Magic => "PAR1"u8.ToArray();
    static byte[] WithFooter(byte[] footer) => File(Magic, footer, BitConverter.GetBytes(footer.Length), Magic);

    [Fact]
    public void A_part_file_as_written_passes()
    {
        ParquetFooterCheck.Check(RepositoryFiles.Path("tests/fuzz/corpus/traces/two-rows.parquet"));
    }

    [Fact]
    public void A_list_claiming_more_elements_than_bytes_left_is_refused_naming_the_offset()
    {
        using var folder = new TempDirectory();
        // Field 5 (key-value metadata), a list of structs whose size (a varint, 2³¹ − 1) follows.
        string path = folder.Write("damaged.parquet", WithFooter([0x59, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00]));
        var e = Assert.Throws<InvalidDataException>(() => ParquetFooterCheck.Check(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("a count of 2147483647 elements does not fit in the 1 bytes left", e.Message);
        Assert.Contains("byte offset 11", e.Message); // 4 bytes of magic + the 7 read
    }

    [Theory]
    [InlineData(new byte[] { 0x15 }, "the footer ends inside a value")]
    [InlineData(new byte[] { 0xAD, 0x00 }, "type code 13 is not a Thrift compact-protocol type")] // field 10, unknown to the format
    [InlineData(new byte[] { 0x68, 0x05, 0x41, 0x00 }, "a count of 5 elements does not fit")] // created_by, 5 bytes long, 2 there
    // What Parquet.Net would read by the type it expects (an i32, a list of schema elements), whatever the header says:
    [InlineData(new byte[] { 0x19, 0x15, 0x00 }, "field 1 of FileMetaData has wire type 9, where i32 (5) is expected")]
    [InlineData(new byte[] { 0x29, 0x15, 0x02, 0x00 }, "field 2 of FileMetaData is a list of wire type 5, where struct (12) is expected")]
    public void Damaged_footers_are_refused_in_one_sentence(byte[] footer, string why)
    {
        using var folder = new TempDirectory();
        string path = folder.Write("damaged.parquet", WithFooter(footer));
        var e = Assert.Throws<InvalidDataException>(() => ParquetFooterCheck.Check(path));
        Assert.Contains(why, e.Message);
        Assert.Single(e.Message.Split('\n'));
    }

    [Fact]
    public void Lists_nested_past_the_bound_are_refused_not_recursed_into()
    {
        // Field 10 (unknown): a list of one list of one list... Parquet.Net skips it by recursion, to a stack overflow.
        using var folder = new TempDirectory();
        string path = folder.Write("deep.parquet", WithFooter([0xA9, .. Enumerable.Repeat((byte)0x19, 100_000), .. new byte[100_001]]));
        var e = Assert.Throws<InvalidDataException>(() => ParquetFooterCheck.Check(path));
        Assert.Contains("lists nest deeper than 64", e.Message);
    }

    [Fact]
    public void An_unknown_structure_is_walked_as_Parquet_Net_skips_it_field_headers_without_values()
    {
        // Field 10 (unknown): a structure whose field 1 claims a binary (0x18) and whose next bytes would be its value;
        // Parquet.Net reads only headers to the stop byte, so 0x18, 0x25 (two headers) and the stop byte 0x00. A walk
        // that read the value would see the footer end inside it (found by fuzzing: Parquet.Net then hung).
        using var folder = new TempDirectory();
        string path = folder.Write("unknown.parquet", WithFooter([0xAC, 0x18, 0x25, 0x00, 0x00]));
        Assert.Null(ParquetFooterCheck.Find(path));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "too short")]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 0, 0, 0, 0, 0x50, 0x41, 0x52, 0x32 }, "does not end with the Parquet magic")]
    [InlineData(new byte[] { 0x50, 0x41, 0x52, 0x31, 0, 0xFF, 0, 0, 0, 0x50, 0x41, 0x52, 0x31 }, "does not fit in a file of 13 bytes")]
    public void A_file_without_the_parquet_frame_is_refused(byte[] bytes, string why)
    {
        using var folder = new TempDirectory();
        string path = folder.Write("frame.parquet", bytes);
        Assert.Contains(why, Assert.Throws<InvalidDataException>(() => ParquetFooterCheck.Check(path)).Message);
    }

    [Fact]
    public void Every_footer_the_fuzzer_found_hanging_Parquet_Net_is_refused_within_a_second()
    {
        var found = Directory.GetFiles(RepositoryFiles.Path("tests/fuzz/regressions"), "footer-*.bin", SearchOption.AllDirectories);
        Assert.True(found.Length >= 4, $"expected the fuzzer's footer findings, found {found.Length}");
        foreach (string file in found)
        {
            // The datasets target's first byte selects the format: the Parquet file is what follows it.
            byte[] bytes = System.IO.File.ReadAllBytes(file);
            if (file.Contains($"{Path.DirectorySeparatorChar}datasets{Path.DirectorySeparatorChar}")) bytes = bytes[1..];
            using var folder = new TempDirectory();
            string path = folder.Write("found.parquet", bytes);
            var clock = Stopwatch.StartNew();
            var e = Assert.Throws<InvalidDataException>(() => ParquetFooterCheck.Check(path));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{file}: {clock.Elapsed}");
            Assert.Contains("byte offset", e.Message);
        }
    }
}
