using System.Text;

namespace LlmDistill.Generation.Datasets;

internal static class DatasetFiles
{
    // Sequential scan with a 64 KiB buffer: datasets are read once, front to back.
    const int BufferBytes = 1 << 16;

    public static FileStream OpenRead(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read,
        Options = FileOptions.SequentialScan, BufferSize = BufferBytes,
    });

    /// <summary>UTF-8 text, a byte-order mark (UTF-8/16/32) honoured when present.</summary>
    public static StreamReader OpenText(string path) =>
        new(OpenRead(path), new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true, BufferBytes);
}
