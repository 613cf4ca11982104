using System.Globalization;
using Parquet;

namespace LlmDistill.Traces;

/// <summary>
/// Streams trace records into part files of a folder. Rows are buffered up to a row group
/// (<see cref="TraceWriterOptions.RowGroupRows"/> rows or <see cref="TraceWriterOptions.RowGroupTokens"/> tokens)
/// and each row group is written as it fills, so memory holds one row group whatever the number of rows. A part is
/// written as <c>.part-NNNN-&lt;shard&gt;.parquet.tmp</c> and renamed to <c>part-NNNN-&lt;shard&gt;.parquet</c> when
/// closed: after <see cref="TraceWriterOptions.PartRows"/> rows, on <see cref="Flush"/>, or on dispose. Part
/// numbers continue after those already in the folder, so a resumed run adds parts. If writing fails, the open
/// part and the buffered rows are dropped (never visible to readers) and the exception propagates. Thread-safe: Flush may be
/// called from a Ctrl-C handler while another thread writes.
/// </summary>
public sealed class TraceWriter : IDisposable, IAsyncDisposable
{
    readonly string _folder;
    readonly TraceWriterOptions _options;
    readonly Dictionary<string, string> _metadata;
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly List<TraceRecord> _buffer = [];
    readonly List<string> _completedParts = [];
    long _bufferTokens;
    OpenPart? _part;
    int _nextIndex;
    bool _disposed;

    public TraceWriter(string folder, TraceProvenance provenance, TraceWriterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(provenance);
        _options = options ?? new TraceWriterOptions();
        _options.Validate();
        _folder = folder;
        Directory.CreateDirectory(folder);
        _nextIndex = TracePartFiles.NextIndex(folder, _options.Shard);
        _metadata = new()
        {
            [TraceSchema.VersionKey] = TraceSchema.Version.ToString(CultureInfo.InvariantCulture),
            [TraceSchema.ProvenanceKey] = (provenance with { SchemaVersion = TraceSchema.Version }).ToJson(),
        };
    }

    /// <summary>Rows accepted so far (written or buffered).</summary>
    public long RowsWritten { get; private set; }
    /// <summary>Completion tokens accepted so far.</summary>
    public long TokensWritten { get; private set; }
    /// <summary>Part files this writer completed (full paths), in order.</summary>
    public IReadOnlyList<string> CompletedParts { get { lock (_completedParts) return [.. _completedParts]; } }
    /// <summary>The error the encoding made on what was written so far.</summary>
    public QuantizationErrorMeter Errors { get; } = new();

    public async Task WriteAsync(TraceRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Validate();
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _buffer.Add(record);
            _bufferTokens += record.CompletionTokenCount;
            RowsWritten++;
            TokensWritten += record.CompletionTokenCount;
            long partRows = (_part?.Rows ?? 0) + _buffer.Count;
            if (_buffer.Count >= _options.RowGroupRows || _bufferTokens >= _options.RowGroupTokens || partRows >= _options.PartRows)
                await WriteRowGroupAsync(cancellationToken).ConfigureAwait(false);
            if (_part is { } part && part.Rows >= _options.PartRows)
                await ClosePartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    public void Write(TraceRecord record) => Sync(() => WriteAsync(record));

    /// <summary>Writes buffered rows and closes the current part, so that everything accepted so far is in complete files.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            await WriteRowGroupAsync(cancellationToken).ConfigureAwait(false);
            await ClosePartAsync(cancellationToken).ConfigureAwait(false);
        }
        finally { _lock.Release(); }
    }

    public void Flush() => Sync(() => FlushAsync());

    /// <summary>Sizes of the parts this writer completed, with the quantisation error it measured.</summary>
    public TraceFileStats Stats() => TraceFileStats.Measure(CompletedParts) with
    {
        MaxLogprobError = Errors.MaxLogprobError,
        MaxTailMassError = Errors.MaxTailMassError,
    };

    public async ValueTask DisposeAsync()
    {
        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed) return;
            _disposed = true;
            try
            {
                await WriteRowGroupAsync(CancellationToken.None).ConfigureAwait(false);
                await ClosePartAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally { await AbandonPartAsync().ConfigureAwait(false); }
        }
        finally { _lock.Release(); }
    }

    public void Dispose() => Sync(() => DisposeAsync().AsTask());

    async Task WriteRowGroupAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Count == 0) return;
        var part = _part ??= await OpenPartAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await TraceRowGroup.WriteAsync(part.Writer, part.Fields, _buffer, Errors, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _buffer.Clear();
            _bufferTokens = 0;
            await AbandonPartAsync().ConfigureAwait(false);
            throw;
        }
        part.Rows += _buffer.Count;
        _buffer.Clear();
        _bufferTokens = 0;
    }

    async Task<OpenPart> OpenPartAsync(CancellationToken cancellationToken)
    {
        int index = _nextIndex++;
        string temporary = Path.Combine(_folder, TracePartFiles.TemporaryName(index, _options.Shard));
        string complete = Path.Combine(_folder, TracePartFiles.CompleteName(index, _options.Shard));
        var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
        try
        {
            var fields = TraceSchema.Create();
            var parquetOptions = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = _options.Compression };
            var writer = await ParquetWriter.CreateAsync(fields.Schema, stream, parquetOptions, cancellationToken: cancellationToken).ConfigureAwait(false);
            writer.CustomMetadata = _metadata;
            return new OpenPart(stream, writer, fields, temporary, complete);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Finishes the footer, syncs the file to disk and renames it to its complete name.</summary>
    async Task ClosePartAsync(CancellationToken cancellationToken)
    {
        if (_part is not { } part) return;
        try
        {
            await part.Writer.DisposeAsync().ConfigureAwait(false);
            await part.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            part.Stream.Flush(flushToDisk: true);
            await part.Stream.DisposeAsync().ConfigureAwait(false);
            File.Move(part.TemporaryPath, part.CompletePath, overwrite: false);
        }
        catch
        {
            await AbandonPartAsync().ConfigureAwait(false);
            throw;
        }
        _part = null;
        lock (_completedParts) _completedParts.Add(part.CompletePath);
    }

    /// <summary>Drops a part that cannot be completed: its temporary file goes, readers never saw it.</summary>
    async Task AbandonPartAsync()
    {
        if (_part is not { } part) return;
        _part = null;
        try { await part.Stream.DisposeAsync().ConfigureAwait(false); } catch (IOException) { }
        try { File.Delete(part.TemporaryPath); } catch (IOException) { }
    }

    /// <summary>Runs async work to completion from a synchronous caller, off any synchronisation context.</summary>
    static void Sync(Func<Task> work) => Task.Run(work).GetAwaiter().GetResult();

    sealed class OpenPart(FileStream stream, ParquetWriter writer, TraceFields fields, string temporaryPath, string completePath)
    {
        public FileStream Stream { get; } = stream;
        public ParquetWriter Writer { get; } = writer;
        public TraceFields Fields { get; } = fields;
        public string TemporaryPath { get; } = temporaryPath;
        public string CompletePath { get; } = completePath;
        public long Rows { get; set; }
    }
}
