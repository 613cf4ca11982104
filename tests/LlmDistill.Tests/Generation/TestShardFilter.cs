using LlmDistill.Generation;

namespace LlmDistill.Tests.Generation;

public class TestShardFilter
{
    [Fact]
    public void Four_shards_cover_every_example_exactly_once_and_evenly()
    {
        var shards = Enumerable.Range(0, 4).Select(i => new ShardFilter(i, 4)).ToArray();
        var ids = Enumerable.Range(0, 4000).Select(i => $"example-{i}").ToArray();
        foreach (string id in ids) Assert.Single(shards, s => s.Contains(id));
        foreach (var shard in shards) Assert.InRange(ids.Count(shard.Contains), 850, 1150);
    }

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("3/4", 3, 4)]
    public void Parsing_reads_index_and_count(string text, int index, int count) =>
        Assert.Equal(new ShardFilter(index, count), ShardFilter.Parse(text));

    [Theory]
    [InlineData("4/4")]
    [InlineData("-1/4")]
    [InlineData("1")]
    [InlineData("a/b")]
    [InlineData("0/0")]
    public void A_bad_shard_is_refused_with_the_expected_form(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ShardFilter.Parse(text));
        Assert.Contains("i/n", error.Message);
    }
}
