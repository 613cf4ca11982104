namespace LlmDistill.Demo.Arithmetic;

/// <summary>Training and held-out problems; no two problems, across or within splits, share their steps.</summary>
internal sealed record ArithmeticSplits(IReadOnlyList<ArithmeticProblem> Train, IReadOnlyList<ArithmeticProblem> HeldOut);
