using LlmDistill.Answers;

namespace LlmDistill.Tests.Answers;

public class TestMajorityVote
{
    [Fact]
    public void Most_frequent_equivalent_answer_wins_and_each_sample_is_flagged()
    {
        var vote = MajorityVote.Count(["42", "41", "42.0", "$42", "41"]);

        Assert.Equal(("42", 3, 5), (vote.Answer, vote.Votes, vote.Voters));
        Assert.Equal([true, false, true, true, false], vote.AgreesWithMajority);
    }

    [Fact]
    public void Ties_go_to_the_answer_that_appeared_first()
    {
        var vote = MajorityVote.Count(["7", "8", "8", "7"]);

        Assert.Equal(("7", 2), (vote.Answer, vote.Votes));
        Assert.Equal([true, false, false, true], vote.AgreesWithMajority);
    }

    [Fact]
    public void Null_answers_do_not_vote_and_never_agree()
    {
        var vote = MajorityVote.Count([null, "5", null, null, "6", "6"]);

        Assert.Equal(("6", 2, 3), (vote.Answer, vote.Votes, vote.Voters));
        Assert.Equal([false, false, false, false, true, true], vote.AgreesWithMajority);
    }

    [Fact]
    public void No_answers_at_all_give_no_majority()
    {
        var vote = MajorityVote.Count([null, null]);

        Assert.Equal((null, 0, 0), (vote.Answer, vote.Votes, vote.Voters));
        Assert.Equal([false, false], vote.AgreesWithMajority);
        Assert.Empty(MajorityVote.Count([]).AgreesWithMajority);
    }
}
