namespace LlmDistill.Generation.Datasets;

/// <summary>
/// One question of a dataset. <see cref="GoldAnswer"/> is normalised (see <c>AnswerNormalizer</c>);
/// <see cref="Line"/> is the 1-based line where the record starts (JSONL, CSV) or the 1-based row number (Parquet).
/// </summary>
public sealed record DatasetRow(string Id, string Question, string? GoldAnswer, string? GoldRationale, long Line);
