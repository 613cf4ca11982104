using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using System.Text.Json.Serialization;

namespace LlmDistill.Evaluation.Running;

/// <summary>
/// One model's answer to one held-out question: a row of <c>predictions.parquet</c> (column names are the JSON names).
/// Sample 0 is the greedy answer every headline metric uses; samples 1..N are the temperature samples of
/// <c>--samples N</c>, voted on for self-consistency accuracy.
/// </summary>
public sealed record Prediction
{
    [JsonPropertyName("model")] public string Model { get; init; } = "";
    [JsonPropertyName("question_id")] public string QuestionId { get; init; } = "";
    [JsonPropertyName("question")] public string Question { get; init; } = "";
    [JsonPropertyName("gold_answer")] public string? GoldAnswer { get; init; }
    [JsonPropertyName("sample")] public int Sample { get; init; }
    /// <summary>The normalised extracted answer; null when the completion gave none.</summary>
    [JsonPropertyName("answer")] public string? Answer { get; init; }
    /// <summary>Answer equivalent to gold; null when the question has no gold answer.</summary>
    [JsonPropertyName("correct")] public bool? Correct { get; init; }
    [JsonPropertyName("rationale")] public string Rationale { get; init; } = "";
    [JsonPropertyName("completion_text")] public string CompletionText { get; init; } = "";
    [JsonPropertyName("completion_tokens")] public int CompletionTokens { get; init; }
    /// <summary>eog, stop, length or error (<see cref="Teacher.FinishReason"/> names).</summary>
    [JsonPropertyName("finish_reason")] public string FinishReason { get; init; } = "";
}
