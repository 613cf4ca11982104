using System.Text.Json.Serialization;
using LlmDistill.Traces;
using Parquet.Serialization;

namespace LlmDistill.Scoring;

/// <summary>
/// One row of <c>_nll.parquet</c>, the scored folder's sidecar for data filtering: a trace's mean teacher NLL,
/// −mean(sampled logprob) over its completion tokens as stored (column names are the JSON names).
/// </summary>
public sealed record RowNll
{
    /// <summary>Sidecar file name; the leading underscore keeps trace readers from taking it for a part file.</summary>
    public const string FileName = "_nll.parquet";

    /// <summary>The trace's key (<see cref="TraceKey"/>).</summary>
    [JsonPropertyName("key")] public string Key { get; init; } = "";
    /// <summary>Nats per token; null for a row without completion tokens.</summary>
    [JsonPropertyName("mean_nll")] public double? MeanNll { get; init; }
    /// <summary>Completion tokens of the row.</summary>
    [JsonPropertyName("tokens")] public int Tokens { get; init; }

    /// <summary>The sidecar row of one trace.</summary>
    public static RowNll Of(TraceRecord trace) => new()
    {
        Key = trace.Key, Tokens = trace.CompletionTokenCount,
        MeanNll = trace.CompletionTokenCount == 0 ? null : -trace.SampledLogprobs.Average(lp => (double)lp),
    };

    /// <summary>Writes the sidecar of every trace in <paramref name="tracesFolder"/> (rewritten whole, so a resumed run covers old rows too).</summary>
    public static string WriteFor(string tracesFolder)
    {
        string path = Path.Combine(tracesFolder, FileName), temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
            // The serializer is async only; the CLI has no synchronisation context, so blocking here cannot deadlock.
            Task.Run(() => ParquetSerializer.SerializeAsync(TraceReader.Read(tracesFolder).Select(Of), stream)).GetAwaiter().GetResult();
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    /// <summary>Reads a sidecar back.</summary>
    public static IReadOnlyList<RowNll> Read(string path)
    {
        using var stream = File.OpenRead(path);
        return [.. Task.Run(() => ParquetSerializer.DeserializeAsync<RowNll>(stream)).GetAwaiter().GetResult().Data];
    }
}
