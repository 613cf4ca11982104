namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// One sentence's arithmetic: for group events <see cref="First"/> groups of <see cref="Second"/> items, otherwise
/// the single amount (or factor, or divisor) in <see cref="First"/> and <see cref="Second"/> = 0.
/// </summary>
internal readonly record struct ProblemEvent(ProblemEventKind Kind, int First, int Second = 0);
