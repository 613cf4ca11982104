using System.Text;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Generation;
using LlmDistill.Traces;
using static LlmDistill.Tests.Fixtures.CliRun;

namespace LlmDistill.Tests.Traces;

/// <summary>
/// testdata/schema-v1 is a trace folder written by schema version 1 and kept as it was written (see its README): every
/// later build must read it exactly, or refuse it by version; files of other versions are refused, never misread.
/// </summary>
public class TestTraceSchemaVersions
{
    static readonly string V1 = RepositoryFiles.Path("tests/LlmDistill.Tests/Traces/testdata/schema-v1");

    /// <summary>The rows the fixture was written from (TraceTestData as of schema version 1).</summary>
    static readonly TraceRecord[] Written =
        [TraceTestData.Small(0), TraceTestData.Small(1), TraceTestData.Small(1, sample: 1), TraceTestData.Small(2, failed: true)];

    [Fact]
    public void The_committed_version_1_folder_reads_back_every_field_of_every_row()
    {
        Assert.Equal(1, TraceSchema.Version); // bumping the version must keep reading this folder or refuse it: see the next test
        var read = TraceReader.Read(V1).ToArray();
        Assert.Equal(Written.Length, read.Length);
        for (int i = 0; i < read.Length; i++) TraceTestData.AssertSame(Written[i], read[i]);
        foreach (string part in TracePartFiles.List(V1))
            Assert.Equal(TraceTestData.Provenance() with { SchemaVersion = 1 }, TraceReader.ReadProvenance(part));
        Assert.Equal(Written.Select(r => r.Key).ToHashSet(), TraceReader.ReadKeys(V1));
    }

    [Theory]
    [InlineData('0', "trace schema version 0, older than version 1 that this build reads")]
    [InlineData('2', "trace schema version 2, newer than version 1 that this build reads")]
    [InlineData('x', "unreadable trace schema version 'x'; this build reads version 1")]
    public void A_folder_of_another_version_is_refused_by_name_by_the_reader_and_the_cli(char version, string sentence)
    {
        using var folder = new TempDirectory();
        foreach (string part in TracePartFiles.List(V1))
            File.WriteAllBytes(Path.Combine(folder.Path, Path.GetFileName(part)), WithVersion(File.ReadAllBytes(part), version));

        Assert.Contains(sentence, Assert.Throws<InvalidDataException>(() => TraceReader.Read(folder.Path).ToList()).Message);
        Assert.Contains(sentence, Assert.Throws<InvalidDataException>(() => TraceReader.ReadKeys(folder.Path)).Message);
        var inspect = Run("inspect", folder.Path);
        Assert.Equal(2, inspect.Code);
        Assert.Contains(sentence, inspect.Error);
    }

    /// <summary>
    /// The part file with its version value replaced in the footer: the key-value pair is Thrift compact (field header
    /// 0x18, length 1, the digit), so one byte changes and the file stays valid Parquet.
    /// </summary>
    static byte[] WithVersion(byte[] file, char version)
    {
        byte[] key = Encoding.ASCII.GetBytes(TraceSchema.VersionKey);
        int at = file.AsSpan().LastIndexOf(key) + key.Length;
        Assert.True(at > key.Length, "no version key in the footer");
        Assert.Equal(new byte[] { 0x18, 0x01, (byte)'1' }, file[at..(at + 3)]);
        byte[] copy = (byte[])file.Clone();
        copy[at + 2] = (byte)version;
        return copy;
    }
}
