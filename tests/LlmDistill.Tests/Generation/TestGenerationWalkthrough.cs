using LlmDistill.Answers;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;

namespace LlmDistill.Tests.Generation;

/// <summary>One question from dataset row to majority vote, as the generate stage strings the pieces together.</summary>
public class TestGenerationWalkthrough
{
    [Fact]
    public void Dataset_row_to_prompt_to_extracted_answers_to_majority_vote()
    {
        var row = DatasetReader.Open(RepositoryFiles.Path("datasets/gsm8k-style-sample.jsonl")).First();
        var template = PromptTemplate.Load(RepositoryFiles.Path("prompts/cot-math.yaml"));

        var prompt = template.Render(row.Question);
        string[] completions =
        [
            " Tuesday: 15 * 2 = 30. Total: 15 + 30 = 45.\n#### 45",
            " 15 + 15 * 2 = 45 apples.\nThe answer is 45.",
            " She picks 15 + 2 = 17.\n#### 17",
            " I am not sure.",
        ];
        var extracted = completions.Select(AnswerExtractor.Default.Extract).ToList();
        var vote = MajorityVote.Count(extracted.Select(e => e.Answer).ToList());

        Assert.StartsWith(template.SharedUserPrefix, prompt.User, StringComparison.Ordinal);
        Assert.EndsWith($"Question: {row.Question}\nAnswer:", prompt.User);
        Assert.Equal(["45", "45", "17", null], extracted.Select(e => e.Answer));
        Assert.Equal("Tuesday: 15 * 2 = 30. Total: 15 + 30 = 45.", extracted[0].Rationale);
        Assert.Equal(("45", 2, 3), (vote.Answer, vote.Votes, vote.Voters));
        Assert.Equal([true, true, false, false], vote.AgreesWithMajority);
        Assert.Equal([true, true, false, false], extracted.Select(e => AnswerComparer.Equivalent(e.Answer, row.GoldAnswer)));
    }
}
