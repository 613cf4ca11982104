using System.Text;
using LlmDistill.Teacher;

namespace LlmDistill.Tests.Teacher;

public class TestCompletionText
{
    [Fact]
    public void A_character_split_across_two_pieces_is_decoded_once_whole()
    {
        byte[] euro = Encoding.UTF8.GetBytes("€"); // 3 bytes
        var text = new CompletionText([]);
        text.Append(euro.AsSpan(0, 2));
        text.Append(euro.AsSpan(2));
        text.Append("5"u8);
        Assert.Equal("€5", text.Text);
        Assert.Equal(0, text.InvalidCharacters);
    }

    [Fact]
    public void Invalid_bytes_become_replacement_characters_and_are_counted()
    {
        var text = new CompletionText([]);
        text.Append([0x41, 0xFF, 0x42]);
        Assert.Equal("A\uFFFDB", text.Text);
        Assert.Equal(1, text.InvalidCharacters);
    }

    [Fact]
    public void A_stop_string_spread_over_pieces_cuts_the_text_before_it()
    {
        var text = new CompletionText(["\n\nQuestion:", "###"]);
        Assert.False(text.Append("Answer: 42\n"u8));
        Assert.False(text.Append("\nQues"u8));
        Assert.True(text.Append("tion: next"u8));
        Assert.Equal("Answer: 42", text.Text);
        Assert.Equal(10, text.StopAt);
    }

    [Fact]
    public void The_earliest_of_several_stop_strings_wins()
    {
        var text = new CompletionText(["bb", "ab"]);
        Assert.True(text.Append("xxabb"u8));
        Assert.Equal("xx", text.Text);
    }
}
