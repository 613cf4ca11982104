namespace LlmDistill.Answers;

/// <summary>
/// Self-consistency over one question's samples. <see cref="Answer"/> is the normalised answer with the most votes
/// (null when no sample answered), <see cref="Votes"/> its count, <see cref="Voters"/> how many samples answered
/// at all, and <see cref="AgreesWithMajority"/> one flag per sample, in sample order.
/// </summary>
public sealed record MajorityVoteResult(string? Answer, int Votes, int Voters, IReadOnlyList<bool> AgreesWithMajority);

public static class MajorityVote
{
    /// <summary>
    /// Groups answers by <see cref="AnswerComparer.Equivalent"/> ("42", "42.0" and "$42" are one vote each for 42).
    /// Null answers do not vote and never agree. Ties go to the answer that appeared first in sample order.
    /// </summary>
    public static MajorityVoteResult Count(IReadOnlyList<string?> answers)
    {
        // Groups in order of first appearance; a handful of samples per question, so a linear scan is cheapest.
        var representatives = new List<string>();
        var votes = new List<int>();
        var groupOf = new int[answers.Count];
        for (int i = 0; i < answers.Count; i++)
        {
            groupOf[i] = -1;
            if (answers[i] is not string answer) continue;
            int group = representatives.FindIndex(r => AnswerComparer.Equivalent(r, answer));
            if (group < 0)
            {
                group = representatives.Count;
                representatives.Add(AnswerNormalizer.Normalize(answer));
                votes.Add(0);
            }
            votes[group]++;
            groupOf[i] = group;
        }

        int winner = -1;
        for (int g = 0; g < votes.Count; g++) if (winner < 0 || votes[g] > votes[winner]) winner = g;
        var agrees = groupOf.Select(g => winner >= 0 && g == winner).ToArray();
        return winner < 0
            ? new MajorityVoteResult(null, 0, 0, agrees)
            : new MajorityVoteResult(representatives[winner], votes[winner], votes.Sum(), agrees);
    }
}
