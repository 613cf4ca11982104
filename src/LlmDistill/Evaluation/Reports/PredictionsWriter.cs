using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using Parquet.Serialization;

namespace LlmDistill.Evaluation.Reports;

/// <summary><c>predictions.parquet</c>: every model's answer to every question, one <see cref="Prediction"/> per row.</summary>
internal static class PredictionsWriter
{
    public const string FileName = "predictions.parquet";

    public static void Write(string path, IEnumerable<Prediction> predictions)
    {
        using var stream = File.Create(path);
        // The serializer is async only; the CLI has no synchronisation context, so blocking here cannot deadlock.
        Task.Run(() => ParquetSerializer.SerializeAsync(predictions, stream)).GetAwaiter().GetResult();
    }

    public static IReadOnlyList<Prediction> Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"predictions not found: {path}", path);
        using var stream = File.OpenRead(path);
        return [.. Task.Run(() => ParquetSerializer.DeserializeAsync<Prediction>(stream)).GetAwaiter().GetResult().Data];
    }
}
