namespace LlmDistill.Generation.Datasets;

/// <summary>
/// One record as a format reader sees it, before validation and id derivation: the mapped fields as text
/// (null when absent), or the reason it could not be read.
/// </summary>
internal readonly record struct DatasetRecord(long Line, string? Id, string? Question, string? Answer, string? Rationale, DatasetFormatException? Error)
{
    public static DatasetRecord Invalid(DatasetFormatException error) => new(error.Line, null, null, null, null, error);
}
