namespace LlmDistill.Traces;

/// <summary>
/// The stable identity of one teacher sample: <c>&lt;dataset&gt;/&lt;split&gt;/&lt;example_id&gt;/&lt;sample_index&gt;</c>.
/// Dataset and split may not contain '/', so the key stays unambiguous whatever the example id holds.
/// </summary>
public static class TraceKey
{
    public static string Format(string dataset, string split, string exampleId, int sampleIndex)
    {
        Validate(dataset, split, exampleId, sampleIndex);
        return $"{dataset}/{split}/{exampleId}/{sampleIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public static void Validate(string dataset, string split, string exampleId, int sampleIndex)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataset);
        ArgumentException.ThrowIfNullOrEmpty(split);
        ArgumentException.ThrowIfNullOrEmpty(exampleId);
        ArgumentOutOfRangeException.ThrowIfNegative(sampleIndex);
        if (dataset.Contains('/')) throw new ArgumentException($"dataset name '{dataset}' may not contain '/'", nameof(dataset));
        if (split.Contains('/')) throw new ArgumentException($"split name '{split}' may not contain '/'", nameof(split));
    }
}
