using LlmDistill.Generation;

namespace LlmDistill.Tests.Generation;

public class TestQuestionDeduplicator
{
    [Fact]
    public void Exact_duplicates_after_normalisation_are_dropped()
    {
        var dedup = new QuestionDeduplicator();
        Assert.True(dedup.TryAdd("Tom has 3 apples. How many?"));
        Assert.False(dedup.TryAdd("  tom HAS 3 apples -- how many  "));
        Assert.Equal(1, dedup.ExactDuplicates);
    }

    [Fact]
    public void A_near_duplicate_with_one_word_changed_is_dropped_but_a_new_question_is_kept()
    {
        var dedup = new QuestionDeduplicator();
        Assert.True(dedup.TryAdd("A baker makes 24 loaves every morning and sells 18 of them before noon. How many loaves are left?"));
        Assert.False(dedup.TryAdd("A baker makes 24 loaves every morning and sells 18 of them before lunch. How many loaves are left?"));
        Assert.True(dedup.TryAdd("Sara reads 12 pages a day for 5 days. How many pages does she read?"));
        Assert.Equal(1, dedup.NearDuplicates);
    }

    [Fact]
    public void Seeds_are_remembered_so_the_teacher_cannot_copy_them()
    {
        var dedup = new QuestionDeduplicator();
        dedup.Remember("What is 7 times 8?");
        Assert.False(dedup.TryAdd("What is 7 times 8?"));
    }

    [Fact]
    public void Empty_text_is_never_kept() => Assert.False(new QuestionDeduplicator().TryAdd(" ?! "));
}
