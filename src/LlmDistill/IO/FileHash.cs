using System.Security.Cryptography;

namespace LlmDistill.IO;

/// <summary>Content hashes of files, streamed (a base model can be gigabytes).</summary>
public static class FileHash
{
    /// <summary>The lowercase hex SHA-256 of the file's bytes.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
