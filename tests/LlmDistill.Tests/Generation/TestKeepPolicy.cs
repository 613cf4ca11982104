using LlmDistill.Options;
using LlmDistill.Generation;

namespace LlmDistill.Tests.Generation;

public class TestKeepPolicy
{
    [Theory]
    // policy, finished well, has answer, correct, agrees with majority, kept
    [InlineData(KeepPolicy.All, true, false, null, false, true)]
    [InlineData(KeepPolicy.All, false, true, true, true, false)]
    [InlineData(KeepPolicy.Correct, true, true, true, false, true)]
    [InlineData(KeepPolicy.Correct, true, true, false, true, false)]
    [InlineData(KeepPolicy.Correct, true, true, null, true, true)]
    [InlineData(KeepPolicy.Correct, true, false, null, true, false)]
    [InlineData(KeepPolicy.Majority, true, true, false, true, true)]
    [InlineData(KeepPolicy.Majority, true, true, true, false, false)]
    public void The_verdict_follows_the_policy(KeepPolicy policy, bool finishedWell, bool hasAnswer, bool? correct, bool agrees, bool kept) =>
        Assert.Equal(kept, policy.Keeps(finishedWell, hasAnswer, correct, agrees));

    [Fact]
    public void Parsing_is_case_insensitive_and_refuses_unknown_words()
    {
        Assert.Equal(KeepPolicy.Majority, OptionValues.Parse("Majority", typeof(KeepPolicy)));
        Assert.Contains("all, correct, majority", Assert.Throws<FormatException>(() => OptionValues.Parse("best", typeof(KeepPolicy))).Message);
    }
}
