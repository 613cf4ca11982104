using LlmDistill.Tokenization;

namespace LlmDistill.Tests.Tokenization;

public class TestSpecialTokenTrie
{
    [Fact]
    public void Marks_every_text_that_occurs_including_overlapping_and_nested_ones()
    {
        string[] texts = ["<|im_start|>", "<|im", "im_", "bcd", "ab", "<unused1>", "<unused10>", "absent"];
        var trie = new SpecialTokenTrie(texts);
        var present = new bool[texts.Length];
        trie.MarkPresent("x<|im_start|>abcd<unused10>", present);
        // "<unused1>" is not inside "<unused10>" (its ">" differs).
        Assert.Equal([true, true, true, true, true, false, true, false], present);
    }

    [Fact]
    public void No_texts_and_empty_text_mark_nothing()
    {
        var present = new bool[1];
        new SpecialTokenTrie(["<s>"]).MarkPresent("", present);
        new SpecialTokenTrie([]).MarkPresent("<s>", []);
        Assert.False(present[0]);
    }
}
