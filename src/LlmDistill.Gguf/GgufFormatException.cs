namespace LlmDistill.Gguf;

/// <summary>
/// A GGUF file is malformed or hostile. <see cref="Field"/> names the part of the format that is wrong
/// and <see cref="Offset"/> is the byte offset in the file where that field starts. The message is one
/// sentence, e.g. <c>GGUF file 'x.gguf': tensor_count 9223372036854775807 at offset 8 is larger than the file allows</c>.
/// </summary>
public sealed class GgufFormatException : Exception
{
    /// <param name="filePath">Path the file was opened with.</param>
    /// <param name="field">Format field at fault.</param>
    /// <param name="offset">Byte offset of that field in the file.</param>
    /// <param name="problem">What is wrong, phrased to follow "at offset N", e.g. "is larger than the file allows".</param>
    /// <param name="value">The offending value as text, shown right after the field name; null when not useful.</param>
    /// <param name="inner">Underlying cause, if any.</param>
    public GgufFormatException(string filePath, string field, long offset, string problem, string? value = null, Exception? inner = null)
        : base(Compose(filePath, field, offset, problem, value), inner)
    {
        FilePath = filePath;
        Field = field;
        Offset = offset;
    }

    /// <summary>The path the file was opened with.</summary>
    public string FilePath { get; }

    /// <summary>The format field at fault, e.g. <c>tensor_count</c> or <c>tensor 'blk.0.attn_q.weight' offset</c>.</summary>
    public string Field { get; }

    /// <summary>Byte offset in the file where <see cref="Field"/> starts.</summary>
    public long Offset { get; }

    private static string Compose(string filePath, string field, long offset, string problem, string? value) =>
        value is null
            ? $"GGUF file '{filePath}': {field} at offset {offset} {problem}"
            : $"GGUF file '{filePath}': {field} {value} at offset {offset} {problem}";
}
