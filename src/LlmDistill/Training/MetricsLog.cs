using System.Text.Json;

namespace LlmDistill.Training;

/// <summary>
/// <c>metrics.jsonl</c>: one <see cref="TrainingMetrics"/> per line, flushed as written so a killed run keeps its curve.
/// Opening for a resumed run drops lines after the checkpoint's step, so the file tells one consistent history.
/// </summary>
internal sealed class MetricsLog : IDisposable
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    readonly StreamWriter _writer;
    readonly List<TrainingMetrics> _records;

    MetricsLog(string path, List<TrainingMetrics> kept)
    {
        _records = kept;
        // Rewritten beside and renamed: a kill while rewriting must not cut the history the checkpoint still needs.
        string temp = path + ".tmp";
        File.WriteAllLines(temp, kept.Select(r => JsonSerializer.Serialize(r, Json)));
        File.Move(temp, path, overwrite: true);
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public IReadOnlyList<TrainingMetrics> Records => _records;

    /// <summary>Opens <paramref name="path"/> keeping the lines of steps ≤ <paramref name="keepThroughStep"/> (0 for a fresh run).</summary>
    public static MetricsLog Open(string path, long keepThroughStep) =>
        new(path, File.Exists(path) ? WholeLines(path).Where(r => r.Step <= keepThroughStep).ToList() : []);

    /// <summary>The records of a log whose writer may have been killed mid-line: a last line without its newline is dropped.</summary>
    static IEnumerable<TrainingMetrics> WholeLines(string path)
    {
        string text = File.ReadAllText(path);
        int end = text.LastIndexOf('\n') + 1; // what follows the last newline was cut off
        return text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize<TrainingMetrics>(line, Json) ?? throw new InvalidDataException($"{path}: a null line"));
    }

    public static IEnumerable<TrainingMetrics> Read(string path) => File.ReadLines(path)
        .Where(line => line.Length > 0)
        .Select(line => JsonSerializer.Deserialize<TrainingMetrics>(line, Json) ?? throw new InvalidDataException($"{path}: a null line"));

    public void Append(TrainingMetrics record)
    {
        _records.Add(record);
        _writer.WriteLine(JsonSerializer.Serialize(record, Json));
    }

    public void Dispose() => _writer.Dispose();
}
