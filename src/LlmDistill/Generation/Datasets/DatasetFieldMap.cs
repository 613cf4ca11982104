namespace LlmDistill.Generation.Datasets;

/// <summary>
/// Which field (JSON property, CSV header, Parquet column) holds what. Names match exactly (case-sensitive).
/// A missing id or rationale field is fine: ids are then derived, rationales come from a GSM8K-style answer or stay null.
/// </summary>
internal sealed record DatasetFieldMap
{
    public string Question { get; init; } = "question";
    public string Answer { get; init; } = "answer";
    public string Id { get; init; } = "id";

    /// <summary>A separate gold-rationale field; null when the dataset has none (GSM8K keeps it inside the answer).</summary>
    public string? Rationale { get; init; }

    public static DatasetFieldMap Default { get; } = new();
}
