namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// The outcome of checking a rationale and answer against a question: <see cref="Failure"/> says what is wrong
/// (null when valid); <see cref="Operations"/> is the number of gold steps when the question could be read.
/// </summary>
internal sealed record ArithmeticVerification(bool IsValid, string? Failure, int Operations)
{
    public static ArithmeticVerification Valid(int operations) => new(true, null, operations);

    public static ArithmeticVerification Invalid(string failure, int operations = 0) => new(false, failure, operations);
}
