using LlmDistill.Answers;

namespace LlmDistill.Tests.Answers;

public class TestAnswerNormalizer
{
    [Theory]
    [InlineData("$1,234.00", "1234")]
    [InlineData("1,234", "1234")]
    [InlineData("+7", "7")]
    [InlineData("-5", "-5")]
    [InlineData("-0.0", "0")]
    [InlineData("007", "7")]
    [InlineData(".5", "0.5")]
    [InlineData("2.50", "2.5")]
    [InlineData("18.", "18")]
    [InlineData("45%", "45")]
    [InlineData("12 dollars", "12")]
    [InlineData("7.5 km/h", "7.5")]
    [InlineData("€ 300", "300")]
    [InlineData("3/4", "3/4")]
    [InlineData("\\frac{6}{8}", "6/8")]
    [InlineData("1{,}000", "1000")]
    [InlineData("$\\$12$", "12")]
    [InlineData("**42**.", "42")]
    [InlineData("`x = 3`", "3")]
    [InlineData("  Paris!  ", "paris")]
    [InlineData("Red  and\nblue.", "red and blue")]
    [InlineData("(1) and (2)", "(1) and (2)")]
    [InlineData("5 apples and 3 pears", "5 apples and 3 pears")]
    public void Answers_have_one_spelling(string raw, string normalised)
    {
        Assert.Equal(normalised, AnswerNormalizer.Normalize(raw));
        Assert.Equal(normalised, AnswerNormalizer.Normalize(normalised));
    }
}
