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
        File.WriteAllLines(path, kept.Select(r => JsonSerializer.Serialize(r, Json)));
        _writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public IReadOnlyList<TrainingMetrics> Records => _records;

    /// <summary>Opens <paramref name="path"/> keeping the lines of steps ≤ <paramref name="keepThroughStep"/> (0 for a fresh run).</summary>
    public static MetricsLog Open(string path, long keepThroughStep) =>
        new(path, File.Exists(path) ? Read(path).Where(r => r.Step <= keepThroughStep).ToList() : []);

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
