using System.Text;
using System.Text.RegularExpressions;
using DuckDB.NET.Data;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

/// <summary>
/// The trace files read by DuckDB, an independent Parquet reader, with the SQL printed in docs/trace-schema.md
/// (taken from the document itself, so the document cannot drift from the files).
/// </summary>
public sealed class TestTraceDuckDbInterop : IDisposable
{
    readonly TempDirectory _folder = new();
    readonly List<TraceRecord> _rows;
    readonly DuckDBConnection _duck = new("Data Source=:memory:");

    public TestTraceDuckDbInterop()
    {
        var synthetic = new SyntheticTraces(seed: 5, topK: 20);
        using (var writer = new TraceWriter(_folder.Path, TraceTestData.Provenance(), new TraceWriterOptions { PartRows = 4, RowGroupRows = 3 }))
        {
            for (int i = 0; i < 6; i++) writer.Write(synthetic.Row("math", "test", i, 0, minTokens: 5, maxTokens: 40));
            for (int i = 0; i < 4; i++) writer.Write(TraceTestData.Small(i, failed: i == 2));
        }
        _rows = TraceReader.Read(_folder.Path).OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        _duck.Open();
        foreach (string macro in Regex.Split(DocumentedSql(0), @";\s*\n").Where(s => !string.IsNullOrWhiteSpace(s)))
            Execute(macro);
    }

    [Fact]
    public void DuckDB_reads_the_plain_columns_as_the_trace_reader_does()
    {
        var duck = Query($"""
            SELECT key, dataset, split, example_id, sample_index, question, gold_answer, prompt_text, prompt_token_ids,
                   completion_text, completion_token_ids, rationale, answer, finish_reason, error, correct,
                   majority_answer, agrees_with_majority, keep, top_k
            FROM read_parquet('{Glob}') ORDER BY key
            """);

        Assert.Equal(10, duck.Count);
        for (int i = 0; i < _rows.Count; i++)
        {
            var (r, d) = (_rows[i], duck[i]);
            Assert.Equal<object?>([r.Key, r.Dataset, r.Split, r.ExampleId, r.SampleIndex, r.Question, r.GoldAnswer, r.PromptText],
                d[..8]);
            Assert.Equal(r.PromptTokenIds, (List<int>)d[8]!);
            Assert.Equal<object?>([r.CompletionText], d[9..10]);
            Assert.Equal(r.CompletionTokenIds, (List<int>)d[10]!);
            Assert.Equal<object?>([r.Rationale, r.Answer, r.FinishReason.ToName(), r.Error, r.Correct, r.MajorityAnswer,
                r.AgreesWithMajority, r.Keep, r.TopK], d[11..]);
        }
    }

    [Fact]
    public void The_documented_SQL_decodes_the_same_top_k_ids_and_logprobs()
    {
        var duck = Query(DocumentedSql(1).Replace("traces/*.parquet", Glob, StringComparison.Ordinal));

        var expected = _rows.SelectMany(r => Enumerable.Range(0, r.TopIds.Length)
            .Select(i => (r.Key, Token: i / r.TopK, Rank: i % r.TopK, Id: r.TopIds[i], Logprob: r.TopLogprobs[i]))).ToList();
        Assert.Equal(expected.Count, duck.Count);
        Assert.True(expected.Count > 6 * 5 * 20);
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, d) = (expected[i], duck[i]);
            Assert.Equal((e.Key, (long)e.Token, (long)e.Rank, e.Id), ((string)d[0]!, Convert.ToInt64(d[1]), Convert.ToInt64(d[2]), (int)d[3]!));
            Assert.Equal(e.Logprob, Convert.ToDouble(d[4]), 6);
        }
    }

    [Fact]
    public void The_documented_SQL_decodes_the_same_sampled_logprobs_and_tail_mass()
    {
        var duck = Query(DocumentedSql(2).Replace("traces/*.parquet", Glob, StringComparison.Ordinal).TrimEnd().TrimEnd(';') + " ORDER BY key");

        for (int i = 0; i < _rows.Count; i++)
        {
            Assert.Equal(_rows[i].Key, duck[i][0]);
            Assert.Equal(_rows[i].CompletionTokenIds, (List<int>)duck[i][1]!);
            Assert.Equal(_rows[i].SampledLogprobs.Select(v => (double)v), ((List<double>)duck[i][2]!).Select(v => v), new Tolerance(1e-6));
            Assert.Equal(_rows[i].TailMass.Select(v => (double)v), ((List<double>)duck[i][3]!).Select(v => v), new Tolerance(1e-6));
        }
    }

    [Fact]
    public void Provenance_and_schema_version_are_readable_with_parquet_kv_metadata()
    {
        var duck = Query($"SELECT file_name, decode(key), decode(value) FROM parquet_kv_metadata('{Glob}') ORDER BY file_name, 2");

        var files = TracePartFiles.List(_folder.Path);
        Assert.Equal(files.Count * 2, duck.Count);
        foreach (var pair in duck.Chunk(2))
        {
            Assert.Equal(TraceSchema.ProvenanceKey, pair[0][1]);
            Assert.Equal(TraceProvenance.FromJson((string)pair[0][2]!), TraceTestData.Provenance());
            Assert.Equal(TraceSchema.VersionKey, pair[1][1]);
            Assert.Equal("1", pair[1][2]);
        }
        Assert.Contains("\"teacher_sha256\":", (string)duck[0][2]!);
        Assert.Equal(TraceTestData.Provenance(), TraceReader.ReadProvenance(files[0]));
    }

    string Glob => Path.Combine(_folder.Path, "*.parquet");

    void Execute(string sql)
    {
        using var command = _duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    List<object?[]> Query(string sql) => _duck.Rows(sql);

    /// <summary>The n-th ```sql block of docs/trace-schema.md.</summary>
    static string DocumentedSql(int index)
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "docs", "trace-schema.md"))) folder = folder.Parent;
        Assert.NotNull(folder);
        string doc = File.ReadAllText(Path.Combine(folder.FullName, "docs", "trace-schema.md"), Encoding.UTF8);
        return Regex.Matches(doc, @"```sql\n(.*?)```", RegexOptions.Singleline)[index].Groups[1].Value;
    }

    sealed class Tolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));
        public int GetHashCode(double obj) => 0;
    }

    public void Dispose()
    {
        _duck.Dispose();
        _folder.Dispose();
    }
}
