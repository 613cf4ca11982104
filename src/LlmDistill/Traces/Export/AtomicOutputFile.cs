namespace LlmDistill.Traces.Export;

/// <summary>
/// A file that appears complete or not at all: bytes go to a hidden temporary beside the target
/// (<c>.&lt;name&gt;.&lt;random&gt;.tmp</c>, same folder so the rename cannot cross file systems), which
/// <see cref="CommitAsync"/> syncs and renames over the target. Disposed without a commit (an exception, a
/// cancellation), the temporary is deleted and an existing target is left as it was.
/// </summary>
public sealed class AtomicOutputFile : IAsyncDisposable
{
    readonly FileStream _stream;
    bool _committed;

    public AtomicOutputFile(string path)
    {
        TargetPath = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(TargetPath)!;
        Directory.CreateDirectory(folder);
        TemporaryPath = Path.Combine(folder, $".{Path.GetFileName(TargetPath)}.{Path.GetRandomFileName()}.tmp");
        _stream = new FileStream(TemporaryPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, useAsync: true);
    }

    public string TargetPath { get; }
    public string TemporaryPath { get; }
    public Stream Stream => _stream;

    /// <summary>Flushes to disk, closes and renames the temporary over the target.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        _stream.Flush(flushToDisk: true);
        await _stream.DisposeAsync().ConfigureAwait(false);
        File.Move(TemporaryPath, TargetPath, overwrite: true);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        if (!_committed)
        {
            try { File.Delete(TemporaryPath); } catch (IOException) { }
        }
    }
}
