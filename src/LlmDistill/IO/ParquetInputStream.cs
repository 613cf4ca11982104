namespace LlmDistill.IO;

/// <summary>
/// A Parquet file opened for Parquet.Net, whose single-byte reads refuse to go past the end. Parquet.Net's Thrift
/// reader takes end of stream (-1) for the byte 0xFF, which continues a variable-length integer, so a page header
/// that runs into the end of a damaged file is read for ever; here it ends in <see cref="EndOfStreamException"/>.
/// </summary>
internal sealed class ParquetInputStream(string path) : FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read)
{
    public override int ReadByte()
    {
        int b = base.ReadByte();
        return b >= 0 ? b : throw new EndOfStreamException($"'{Name}' ends inside a page header");
    }

    /// <summary>Opens <paramref name="path"/> with Parquet.Net (the footer checked first by the caller); the file is closed when that fails.</summary>
    public static async Task<Parquet.ParquetReader> OpenReaderAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = new ParquetInputStream(path);
        try { return await Parquet.ParquetReader.CreateAsync(stream, leaveStreamOpen: false, cancellationToken: cancellationToken).ConfigureAwait(false); }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
