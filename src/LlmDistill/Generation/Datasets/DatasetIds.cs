using System.Security.Cryptography;
using System.Text;

namespace LlmDistill.Generation.Datasets;

/// <summary>
/// Ids for rows whose file has none: the first 16 hex digits (64 bits) of SHA-256 over the UTF-8 bytes of the
/// normalised question (trimmed, every run of whitespace collapsed to one space, case kept). The same question gets
/// the same id in any file and on any machine, so resume and shard keys survive reordering of the file.
/// The second and later copies of a question within one file get "-2", "-3", ... in file order.
/// </summary>
internal static class DatasetIds
{
    public const int HexDigits = 16;

    public static string FromQuestion(string question)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(NormaliseQuestion(question)), hash);
        return Convert.ToHexStringLower(hash[..(HexDigits / 2)]);
    }

    public static string NormaliseQuestion(string question) =>
        string.Join(' ', question.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
