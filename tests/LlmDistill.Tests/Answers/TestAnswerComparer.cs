using LlmDistill.Answers;

namespace LlmDistill.Tests.Answers;

public class TestAnswerComparer
{
    [Theory]
    [InlineData("42", "42.0", true)]
    [InlineData("$1,234.00", "1234", true)]
    [InlineData("0.5", "1/2", true)]
    [InlineData("\\frac{2}{4}", "1/2", true)]
    [InlineData("-3", "−3", true)]
    [InlineData("Paris", "paris.", true)]
    [InlineData("0.333", "1/3", false)]
    [InlineData("42", "43", false)]
    [InlineData("-5", "5", false)]
    [InlineData("blue", "red", false)]
    [InlineData("42", null, false)]
    [InlineData(null, null, false)]
    public void Equivalent_compares_normalised_answers_and_numbers_by_value(string? a, string? b, bool equivalent)
    {
        Assert.Equal(equivalent, AnswerComparer.Equivalent(a, b));
        Assert.Equal(equivalent, AnswerComparer.Equivalent(b, a));
    }

    [Fact]
    public void Huge_numbers_that_overflow_decimal_products_are_not_equivalent_rather_than_throwing()
    {
        Assert.False(AnswerComparer.Equivalent("79228162514264337593543950335/7", "79228162514264337593543950334/3"));
    }
}
