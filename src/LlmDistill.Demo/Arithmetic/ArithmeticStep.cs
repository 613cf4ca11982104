namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// One operation of a rationale, written <c>4*7=28</c>. <see cref="LeftStep"/>/<see cref="RightStep"/> are the
/// indices of earlier steps whose results the operands are (null when the operand is a number from the question),
/// which is what makes the steps dependent.
/// </summary>
internal sealed record ArithmeticStep(int Left, char Operator, int Right, int Result, int? LeftStep = null, int? RightStep = null)
{
    public const string Operators = "+-*/";

    public override string ToString() => $"{Left}{Operator}{Right}={Result}";

    /// <summary>
    /// The exact result of <c>left op right</c>, or null when it is negative, a division is not exact, or it does not
    /// fit in an int (operands read from arbitrary text can be large).
    /// </summary>
    public static int? Apply(int left, char op, int right)
    {
        long value = op switch
        {
            '+' => (long)left + right,
            '-' => (long)left - right,
            '*' => (long)left * right,
            '/' => right != 0 && left % right == 0 ? left / right : -1,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, $"operators are {Operators}"),
        };
        return value is >= 0 and <= int.MaxValue ? (int)value : null;
    }

    /// <summary>Whether <paramref name="other"/> is the same operation, operands swapped allowed for + and *.</summary>
    public bool SameOperation(ArithmeticStep other) =>
        Operator == other.Operator && Result == other.Result
        && (Left == other.Left && Right == other.Right
            || Operator is '+' or '*' && Left == other.Right && Right == other.Left);
}
