using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// Writes problems as JSON Lines in GSM8K's layout (<c>{"id", "question", "answer"}</c>, the answer being the
/// rationale then <c>#### N</c>), the format <c>llmdistill generate</c> reads. Output is byte-stable: UTF-8 without
/// BOM, <c>\n</c> line ends, fixed field order, and no escaping of <c>+</c> or <c>'</c> (so the file reads as text).
/// </summary>
internal static class ArithmeticJsonl
{
    static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(string path, IEnumerable<ArithmeticProblem> problems)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        using var stream = File.Create(path);
        Write(stream, problems);
    }

    public static void Write(Stream stream, IEnumerable<ArithmeticProblem> problems)
    {
        var line = new MemoryStream();
        foreach (var problem in problems)
        {
            line.SetLength(0);
            using (var json = new Utf8JsonWriter(line, Options))
            {
                json.WriteStartObject();
                json.WriteString("id", problem.Id);
                json.WriteString("question", problem.Question);
                json.WriteString("answer", problem.GoldAnswer);
                json.WriteEndObject();
            }
            line.WriteByte((byte)'\n');
            stream.Write(line.GetBuffer(), 0, (int)line.Length);
        }
    }

    /// <summary>The file's text, as <see cref="Write(string, IEnumerable{ArithmeticProblem})"/> would write it.</summary>
    public static string ToText(IEnumerable<ArithmeticProblem> problems)
    {
        using var stream = new MemoryStream();
        Write(stream, problems);
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
