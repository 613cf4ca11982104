using LlmDistill.Teacher;
using System.IO.Compression;
using Parquet;

namespace LlmDistill.Traces.Export;

/// <summary>
/// Writes rows as <see cref="DecodedTraceSchema"/> Parquet (ZSTD level 3), one row group per 256 rows or 128 Ki completion
/// tokens like the traces themselves, so memory holds one row group. The export provenance JSON goes into the file's
/// key-value metadata under <see cref="TraceExportProvenance.MetadataKey"/>.
/// </summary>
sealed class DecodedParquetSink : ITraceExportSink
{
    const int RowGroupRows = 256, RowGroupTokens = 128 * 1024;

    readonly ParquetWriter _writer;
    readonly DecodedTraceSchema _fields;
    readonly int? _include;
    readonly List<TraceRecord> _buffer = [];
    long _bufferTokens;
    bool _completed;

    DecodedParquetSink(ParquetWriter writer, DecodedTraceSchema fields, int? include)
    {
        _writer = writer;
        _fields = fields;
        _include = include;
    }

    public static async Task<DecodedParquetSink> CreateAsync(Stream stream, TraceExportSettings settings, string provenanceJson, CancellationToken cancellationToken)
    {
        var fields = new DecodedTraceSchema();
        // Parquet.Net's default level is SmallestSize (zstd 19), 10–20× slower for a few % smaller files; the traces use 3 too.
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = CompressionLevel.Optimal };
        var writer = await ParquetWriter.CreateAsync(fields.Schema, stream, options, cancellationToken: cancellationToken).ConfigureAwait(false);
        writer.CustomMetadata = new Dictionary<string, string> { [TraceExportProvenance.MetadataKey] = provenanceJson };
        return new DecodedParquetSink(writer, fields, settings.IncludeLogprobs);
    }

    public async Task<bool> WriteAsync(TraceRecord row, CancellationToken cancellationToken)
    {
        if (row.CompletionTokenCount == 0) return false;
        _buffer.Add(row);
        _bufferTokens += row.CompletionTokenCount;
        if (_buffer.Count >= RowGroupRows || _bufferTokens >= RowGroupTokens) await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await FlushRowGroupAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
        await _writer.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_completed) return;
        _completed = true;
        // The file is being abandoned (its temporary is deleted next): the footer does not matter, and an error
        // writing it must not hide the one that stopped the export.
        try { await _writer.DisposeAsync().ConfigureAwait(false); }
        catch (Exception) { }
    }

    async Task FlushRowGroupAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Count == 0) return;
        var rows = _buffer;
        var f = _fields;
        var promptIds = new ListColumn<int>();
        var completionIds = new ListColumn<int>();
        var sampled = new ListColumn<float>();
        var topIds = new NestedListColumn<int>();
        var topLogprobs = new NestedListColumn<float>();
        var tail = new ListColumn<float>();
        var topK = new int[rows.Count];
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int n = r.CompletionTokenCount, k = topK[i] = Math.Min(r.TopK, _include ?? r.TopK);
            promptIds.AddRow(r.PromptTokenIds);
            completionIds.AddRow(r.CompletionTokenIds);
            sampled.AddRow(r.SampledLogprobs);
            topIds.AddRow(r.TopIds, n, r.TopK, k);
            topLogprobs.AddRow(r.TopLogprobs, n, r.TopK, k);
            tail.AddRow(TailLogprobs(r, k));
        }

        using var rg = _writer.CreateRowGroup();
        await rg.WriteAsync(f.Key, Strings(r => r.Key));
        await rg.WriteAsync(f.Dataset, Strings(r => r.Dataset));
        await rg.WriteAsync(f.Split, Strings(r => r.Split));
        await rg.WriteAsync(f.ExampleId, Strings(r => r.ExampleId));
        await rg.WriteAsync<int>(f.SampleIndex, rows.Select(r => r.SampleIndex).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync(f.Question, Strings(r => r.Question));
        await rg.WriteAsync(f.GoldAnswer, Strings(r => r.GoldAnswer));
        await rg.WriteAsync(f.PromptText, Strings(r => r.PromptText));
        await promptIds.WriteAsync(rg, f.PromptTokenIds, cancellationToken);
        await rg.WriteAsync(f.CompletionText, Strings(r => r.CompletionText));
        await completionIds.WriteAsync(rg, f.CompletionTokenIds, cancellationToken);
        await rg.WriteAsync(f.Rationale, Strings(r => r.Rationale));
        await rg.WriteAsync(f.Answer, Strings(r => r.Answer));
        await rg.WriteAsync(f.FinishReason, Strings(r => r.FinishReason.ToName()));
        await rg.WriteAsync(f.Error, Strings(r => r.Error));
        await rg.WriteAsync<bool>(f.Correct, rows.Select(r => r.Correct).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync(f.MajorityAnswer, Strings(r => r.MajorityAnswer));
        await rg.WriteAsync<bool>(f.AgreesWithMajority, rows.Select(r => r.AgreesWithMajority).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync<bool>(f.Keep, rows.Select(r => r.Keep).ToArray(), cancellationToken: cancellationToken);
        await rg.WriteAsync<int>(f.TopK, topK, cancellationToken: cancellationToken);
        await sampled.WriteAsync(rg, f.SampledLogprob, cancellationToken);
        await topIds.WriteAsync(rg, f.TopIds, cancellationToken);
        await topLogprobs.WriteAsync(rg, f.TopLogprobs, cancellationToken);
        await tail.WriteAsync(rg, f.TailLogprob, cancellationToken);
        rg.CompleteValidate();
        _buffer.Clear();
        _bufferTokens = 0;
    }

    /// <summary>
    /// ln of the mass outside the first k alternatives: the stored tail plus what the dropped alternatives held, so
    /// top_logprobs and tail_logprob still describe a whole distribution when fewer than the traces' k are exported.
    /// </summary>
    static float[] TailLogprobs(TraceRecord r, int k)
    {
        var values = new float[r.CompletionTokenCount];
        for (int t = 0; t < values.Length; t++)
        {
            double tail = r.TailMass[t];
            for (int j = k; j < r.TopK; j++) tail += Math.Exp(r.TopLogprobs[t * r.TopK + j]);
            values[t] = (float)Math.Log(Math.Min(tail, 1));
        }
        return values;
    }

    string?[] Strings(Func<TraceRecord, string?> select)
    {
        var values = new string?[_buffer.Count];
        for (int i = 0; i < values.Length; i++) values[i] = select(_buffer[i]);
        return values;
    }
}
