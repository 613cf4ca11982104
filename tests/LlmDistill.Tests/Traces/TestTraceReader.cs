using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using Parquet;
using Parquet.Schema;

namespace LlmDistill.Tests.Traces;

public class TestTraceReader
{
    [Fact]
    public void A_tmp_left_by_a_crashed_writer_is_ignored_by_reads_and_keys_and_cleaned_on_request()
    {
        using var folder = new TempDirectory();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance())) writer.Write(TraceTestData.Small(0));
        var crashed = new TraceWriter(folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { RowGroupRows = 1 });
        crashed.Write(TraceTestData.Small(1));
        folder.Write(".part-0007-0.parquet.tmp", "PAR1 truncated");

        Assert.Equal(2, TracePartFiles.ListTemporaries(folder.Path).Count);
        Assert.Equal(["gsm8k/train/q0/0"], TraceReader.Read(folder.Path).Select(r => r.Key));
        Assert.Equal(["gsm8k/train/q0/0"], TraceReader.ReadKeys(folder.Path));

        crashed.Dispose();
        Assert.Equal(1, TraceReader.CleanStaleTemporaries(folder.Path));
        Assert.Empty(TracePartFiles.ListTemporaries(folder.Path));
        Assert.Equal(2, TraceReader.ReadKeys(folder.Path).Count);
    }

    [Fact]
    public void Keys_of_a_folder_that_does_not_exist_yet_are_empty()
    {
        using var folder = new TempDirectory();
        Assert.Empty(TraceReader.ReadKeys(folder.File("not-yet")));
    }

    [Fact]
    public void A_single_file_can_be_read_and_its_provenance_comes_back_whole()
    {
        using var folder = new TempDirectory();
        var provenance = TraceTestData.Provenance() with { Temperature = 0f, Seed = -3, PromptTemplateName = "cot \"v2\"" };
        using (var writer = new TraceWriter(folder.Path, provenance, new TraceWriterOptions { PartRows = 1 }))
            for (int i = 0; i < 3; i++) writer.Write(TraceTestData.Small(i));

        string second = TracePartFiles.List(folder.Path)[1];
        Assert.Equal(["gsm8k/train/q1/0"], TraceReader.Read(second).Select(r => r.Key));
        Assert.Equal(provenance, TraceReader.ReadProvenance(second));
        Assert.Equal(TraceSchema.Version, TraceReader.ReadProvenance(second).SchemaVersion);
    }

    [Fact]
    public void Hidden_and_underscore_files_are_not_part_files()
    {
        using var folder = new TempDirectory();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance())) writer.Write(TraceTestData.Small(0));
        folder.Write("_SUCCESS.parquet", "");
        folder.Write(".hidden.parquet", "");
        folder.Write("notes.txt", "");

        Assert.Equal(["part-0000-0.parquet"], TracePartFiles.List(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Parquet_files_of_another_schema_version_or_without_one_are_refused()
    {
        using var folder = new TempDirectory();
        var field = new DataField<int>("x", nullable: false);
        foreach (var (name, version) in new[] { ("part-0000-a.parquet", (string?)null), ("part-0000-b.parquet", "2") })
        {
            await using var stream = File.Create(folder.File(name));
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(field), stream);
            if (version is not null) writer.CustomMetadata = new Dictionary<string, string> { [TraceSchema.VersionKey] = version };
            using var rowGroup = writer.CreateRowGroup();
            await rowGroup.WriteAsync<int>(field, new[] { 1 });
        }

        var missing = Assert.Throws<InvalidDataException>(() => TraceReader.Read(folder.File("part-0000-a.parquet")).ToList());
        Assert.Contains("not a trace file", missing.Message);
        var newer = Assert.Throws<InvalidDataException>(() => TraceReader.ReadKeys(folder.File("part-0000-b.parquet")));
        Assert.Contains("version 2", newer.Message);
    }

    public static TheoryData<string> DamagedParts() =>
        [.. Directory.GetFiles(LlmDistill.Tests.Generation.RepositoryFiles.Path(Path.Combine("tests", "fuzz", "regressions", "traces"))).Select(f => Path.GetFileName(f)).Order()];

    [Theory, MemberData(nameof(DamagedParts))]
    public void A_damaged_part_file_found_by_fuzzing_is_refused_in_one_sentence_naming_it(string name)
    {
        // Inputs AFL++ made from a valid part (tests/fuzz/run.sh traces): before the fix they ended in Thrift, Zstd,
        // ArgumentOutOfRange, Overflow, NullReference, duplicate-key and other exceptions from inside Parquet.Net.
        using var folder = new TempDirectory();
        string part = Path.Combine(folder.Path, "part-0000-0.parquet");
        File.Copy(LlmDistill.Tests.Generation.RepositoryFiles.Path(Path.Combine("tests", "fuzz", "regressions", "traces", name)), part);
        var read = Assert.Throws<InvalidDataException>(() => TraceReader.Read(part).ToList());
        Assert.Contains(part, read.Message);
        var summary = Assert.Throws<InvalidDataException>(() => TraceSummary.Read(part));
        Assert.Contains(part, summary.Message);
    }

    [Fact]
    public async Task A_part_whose_page_header_claims_a_negative_size_is_refused_naming_the_column_and_offset_once()
    {
        using var folder = new TempDirectory();
        using (var writer = new TraceWriter(folder.Path, TraceTestData.Provenance())) writer.Write(TraceTestData.Small(0));
        string part = TracePartFiles.List(folder.Path).Single();
        long page;
        await using (var reader = await ParquetReader.CreateAsync(part))
        {
            var meta = reader.Metadata!.RowGroups[0].Columns[0].MetaData!;
            page = meta.DictionaryPageOffset is > 0 and var d && d < meta.DataPageOffset ? d : meta.DataPageOffset;
        }
        // The header opens with type, uncompressed size, compressed size (each 0x15 and a zigzag varint); the low bit
        // of the compressed size's first byte is its sign.
        byte[] bytes = File.ReadAllBytes(part);
        int at = (int)page;
        for (int field = 0; field < 2; field++)
        {
            Assert.Equal(0x15, bytes[at++]);
            while ((bytes[at++] & 0x80) != 0) { }
        }
        Assert.Equal(0x15, bytes[at++]);
        bytes[at] |= 1;
        File.WriteAllBytes(part, bytes);

        var e = Assert.Throws<InvalidDataException>(() => TraceReader.Read(part).ToList());
        Assert.Matches(@"^'[^']+' is damaged and cannot be read \(row group 0, column key, byte offset \d+\): a page of -\d+ bytes does not fit in the \d+ bytes left in the chunk\.$", e.Message);
        Assert.Equal(2, e.Message.Split(part).Length); // the file named once
    }
}
