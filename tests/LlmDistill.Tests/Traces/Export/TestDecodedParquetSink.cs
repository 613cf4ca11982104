using DuckDB.NET.Data;
using LlmDistill.Teacher;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>
/// parquet-decoded read by DuckDB, an independent Parquet reader: its plain list columns hold what the project's own
/// decoder (TraceReader, TopKEncoding) gives, within 1e-6.
/// </summary>
public sealed class TestDecodedParquetSink : IDisposable
{
    readonly TempDirectory _directory = new();
    readonly string _traces;
    readonly List<TraceRecord> _rows;
    readonly DuckDBConnection _duck = new("Data Source=:memory:");

    public TestDecodedParquetSink()
    {
        _traces = Path.Combine(_directory.Path, "traces");
        _rows = ExportTestTraces.Write(_traces);
        _duck.Open();
    }

    public void Dispose()
    {
        _duck.Dispose();
        _directory.Dispose();
    }

    string Export(int? include = null, string name = "_decoded.parquet") => TraceExport.Run(new TraceExportSettings
    {
        TracesPath = _traces, OutputPath = Path.Combine(_traces, name), Format = TraceExportFormat.ParquetDecoded, KeepOnly = false, IncludeLogprobs = include,
    }).OutputPath;

    [Fact]
    public void DuckDB_reads_the_decoded_columns_as_the_project_decoder_gives_them()
    {
        string file = Export();

        var duck = Query($"""
            SELECT key, question, gold_answer, prompt_token_ids, completion_token_ids, finish_reason, correct, keep, top_k,
                   sampled_logprob, top_ids, top_logprobs, tail_logprob
            FROM read_parquet('{file}')
            """);

        var expected = _rows.Where(r => r.CompletionTokenCount > 0).ToList();
        Assert.Equal(expected.Count, duck.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var (r, d) = (expected[i], duck[i]);
            Assert.Equal<object?>([r.Key, r.Question, r.GoldAnswer], d[..3]);
            Assert.Equal(r.PromptTokenIds, (List<int>)d[3]!);
            Assert.Equal(r.CompletionTokenIds, (List<int>)d[4]!);
            Assert.Equal<object?>([r.FinishReason.ToName(), r.Correct, r.Keep, r.TopK], d[5..9]);
            AssertClose(Doubles(r.SampledLogprobs), (List<float>)d[9]!);
            var ids = (List<List<int>>)d[10]!;
            var logprobs = (List<List<float>>)d[11]!;
            Assert.Equal(r.CompletionTokenCount, ids.Count);
            Assert.Equal(r.CompletionTokenCount, logprobs.Count);
            for (int t = 0; t < r.CompletionTokenCount; t++)
            {
                Assert.Equal(r.TopIds.AsSpan(t * r.TopK, r.TopK).ToArray(), ids[t]);
                AssertClose(Doubles(r.TopLogprobs.AsSpan(t * r.TopK, r.TopK).ToArray()), logprobs[t]);
            }
            AssertClose(r.TailMass.Select(m => m > 0 ? Math.Log(m) : double.NegativeInfinity).ToArray(), (List<float>)d[12]!);
        }
    }

    [Fact]
    public void The_export_provenance_is_in_the_parquet_key_value_metadata()
    {
        string file = Export();

        var duck = Query($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{file}')");

        var pair = Assert.Single(duck);
        Assert.Equal(TraceExportProvenance.MetadataKey, pair[0]);
        var provenance = TraceExportProvenance.FromJson((string)pair[1]!);
        Assert.Equal(TraceTestData.Provenance(), Assert.Single(provenance.Teachers));
        Assert.Equal(("parquet-decoded", false, TraceSchema.Version), (provenance.Format, provenance.KeepOnly, provenance.TraceSchemaVersion));
        Assert.Equal(_rows.Count, TraceReader.Read(_traces).Count());
    }

    [Fact]
    public void Fewer_alternatives_move_the_dropped_mass_into_the_tail()
    {
        string file = Export(include: 1);

        var duck = Query($"SELECT top_k, top_ids, top_logprobs, tail_logprob FROM read_parquet('{file}')");

        var expected = _rows.Where(r => r.CompletionTokenCount > 0).ToList();
        for (int i = 0; i < expected.Count; i++)
        {
            var r = expected[i];
            Assert.Equal(1, duck[i][0]);
            var ids = (List<List<int>>)duck[i][1]!;
            var tail = (List<float>)duck[i][3]!;
            for (int t = 0; t < r.CompletionTokenCount; t++)
            {
                Assert.Equal([r.TopIds[t * r.TopK]], ids[t]);
                double rest = r.TailMass[t] + Enumerable.Range(1, r.TopK - 1).Sum(j => Math.Exp(r.TopLogprobs[t * r.TopK + j]));
                Assert.Equal(Math.Log(Math.Min(rest, 1)), tail[t], 5);
            }
        }
    }

    static double[] Doubles(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Within 1e-6, relative beyond 1 nat: a float column holds ln(tail) of −20 nats only to 1e-6 relative.</summary>
    static void AssertClose(double[] expected, List<float> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            if (double.IsNegativeInfinity(expected[i])) Assert.True(float.IsNegativeInfinity(actual[i]));
            else Assert.InRange(Math.Abs(actual[i] - expected[i]), 0, 1e-6 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    List<object?[]> Query(string sql) => _duck.Rows(sql);
}
