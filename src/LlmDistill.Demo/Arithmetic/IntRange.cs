namespace LlmDistill.Demo.Arithmetic;

/// <summary>An inclusive range of whole numbers from which a task draws one operand.</summary>
public readonly record struct IntRange(int Min, int Max)
{
    public int Draw(Random random) => random.Next(Min, Max + 1);

    public bool Contains(int value) => value >= Min && value <= Max;

    public override string ToString() => $"{Min}..{Max}";
}
