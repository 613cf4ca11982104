namespace LlmDistill.Generation.Prompts;

/// <summary>A worked example shown to the teacher before the question; seed questions for synthesis have no answer.</summary>
public sealed record FewShotExample
{
    public string Question { get; init; } = "";
    public string? Answer { get; init; }

    public FewShotExample() { }

    public FewShotExample(string question, string? answer)
    {
        Question = question;
        Answer = answer;
    }
}
