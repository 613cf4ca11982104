using Microsoft.Win32.SafeHandles;

namespace LlmDistill.Gguf;

/// <summary>Positional reads from where a GGUF file's bytes live: a file on disk or a block of memory.</summary>
internal abstract class GgufDataSource : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Reads up to <paramref name="destination"/>.Length bytes at <paramref name="offset"/>; 0 at the end.</summary>
    public abstract int Read(Span<byte> destination, long offset);

    public abstract void Dispose();

    public static GgufDataSource OpenFile(string path) => new FileSource(
        File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess));

    public static GgufDataSource FromMemory(ReadOnlyMemory<byte> bytes) => new MemorySource(bytes);

    private sealed class FileSource : GgufDataSource
    {
        private readonly SafeFileHandle _handle;
        private readonly long _length;

        public FileSource(SafeFileHandle handle)
        {
            _handle = handle;
            try
            {
                _length = RandomAccess.GetLength(handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        public override long Length => _length;

        public override int Read(Span<byte> destination, long offset) => RandomAccess.Read(_handle, destination, offset);

        public override void Dispose() => _handle.Dispose();
    }

    private sealed class MemorySource(ReadOnlyMemory<byte> bytes) : GgufDataSource
    {
        public override long Length => bytes.Length;

        public override int Read(Span<byte> destination, long offset)
        {
            if (offset >= bytes.Length)
            {
                return 0;
            }
            var n = (int)Math.Min(destination.Length, bytes.Length - offset);
            bytes.Span.Slice((int)offset, n).CopyTo(destination);
            return n;
        }

        public override void Dispose()
        {
        }
    }
}
