namespace LlmDistill.Demo.Arithmetic;

/// <summary>
/// How hard the demo task is. The defaults are the task measured in docs (shared notes, calibration.md):
/// <c>a + b*c - d</c> with a in 10..60, b in 2..9, c in 3..12, d in 5..40, written as a word problem
/// ("Ann has 23 apples. She buys 4 bags of 7 apples. She gives away 15. How many apples now?").
/// Measured there on 2 cores: a 0.1M-parameter model reaches 98% with unlimited fresh problems but, trained on a
/// fixed pool of 2000 problems, 54% with the rationale against 8% answer-only. That fixed-pool regime is the one
/// the demo reproduces (the teacher annotates a finite set of questions), so keep the defaults unless a new
/// calibration says otherwise. The knobs and which way they move the measured numbers:
/// <list type="bullet">
/// <item><see cref="Operations"/>: each extra operation adds one dependent step (and ~8 rationale characters);
/// both targets get harder, the answer-only one much more (it must do the whole chain in one token).</item>
/// <item>Operand ranges: wider ranges mean more distinct problems and facts to learn (b*c alone is 8 x 10 = 80
/// products by default); results are capped by <see cref="MaxValue"/> so every number has at most three digits.</item>
/// <item><see cref="GroupEvents"/>/<see cref="SingleEvents"/>: with one kind each the structure is fixed and only
/// the numbers vary (as calibrated); several kinds make the model read the verb to pick the operator.</item>
/// <item><see cref="Names"/>, <see cref="Objects"/>, <see cref="Phrasings"/>: surface variety only (no arithmetic);
/// more of it costs model capacity and tokens, not reasoning.</item>
/// </list>
/// </summary>
public sealed record ArithmeticTaskOptions
{
    /// <summary>The calibrated task (see the type's summary).</summary>
    public static ArithmeticTaskOptions Default { get; } = new();

    /// <summary>A harder variant: four operations chosen among all event kinds. Not calibrated.</summary>
    public static ArithmeticTaskOptions Mixed { get; } = new()
    {
        Operations = 4,
        GroupEvents = [ProblemEventKind.BuyGroups, ProblemEventKind.SellGroups],
        SingleEvents = [ProblemEventKind.Receive, ProblemEventKind.GiveAway, ProblemEventKind.Multiply, ProblemEventKind.Share],
        Phrasings = 3,
    };

    /// <summary>Operations in every rationale, 3..8. A group event, when enabled, comes first and costs two.</summary>
    public int Operations { get; init; } = 3;

    /// <summary>The starting count (calibration's a).</summary>
    public IntRange Start { get; init; } = new(10, 60);
    /// <summary>Number of groups bought or sold (calibration's b).</summary>
    public IntRange GroupCount { get; init; } = new(2, 9);
    /// <summary>Items per group (calibration's c).</summary>
    public IntRange GroupSize { get; init; } = new(3, 12);
    /// <summary>Items received or given away (calibration's d).</summary>
    public IntRange Change { get; init; } = new(5, 40);
    /// <summary>Factor of a <see cref="ProblemEventKind.Multiply"/> event.</summary>
    public IntRange Factor { get; init; } = new(2, 3);
    /// <summary>Divisor of a <see cref="ProblemEventKind.Share"/> event (drawn only when it divides exactly).</summary>
    public IntRange Divisor { get; init; } = new(2, 5);
    /// <summary>Largest value any step may produce; every result is at least 1.</summary>
    public int MaxValue { get; init; } = 999;

    /// <summary>Kinds for the first event (two operations each); empty to build the chain from single events only.</summary>
    public ProblemEventKind[] GroupEvents { get; init; } = [ProblemEventKind.BuyGroups];
    /// <summary>Kinds for the remaining events (one operation each).</summary>
    public ProblemEventKind[] SingleEvents { get; init; } = [ProblemEventKind.GiveAway];

    /// <summary>How many people the problems are about (1..<see cref="Phrasebook.MaxNames"/>).</summary>
    public int Names { get; init; } = 4;
    /// <summary>How many kinds of objects they count (1..<see cref="Phrasebook.MaxObjects"/>).</summary>
    public int Objects { get; init; } = 4;
    /// <summary>Wordings per sentence kind (1..<see cref="Phrasebook.MaxPhrasings"/>); wording 0 is the calibrated one.</summary>
    public int Phrasings { get; init; } = 2;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot produce problems.</summary>
    public ArithmeticTaskOptions Validate()
    {
        if (Operations is < 3 or > 8) throw new ArgumentException($"Operations must be 3..8 (the task needs at least three dependent steps), not {Operations}.");
        foreach (var (name, range) in new[] { ("Start", Start), ("GroupCount", GroupCount), ("GroupSize", GroupSize), ("Change", Change) })
            if (range.Min < 1 || range.Max < range.Min || range.Max > MaxValue)
                throw new ArgumentException($"{name} must be a non-empty range within 1..{MaxValue}, not {range}.");
        if (Factor.Min < 2 || Factor.Max < Factor.Min) throw new ArgumentException($"Factor must be a non-empty range from 2 up, not {Factor}.");
        if (Divisor.Min < 2 || Divisor.Max < Divisor.Min) throw new ArgumentException($"Divisor must be a non-empty range from 2 up, not {Divisor}.");
        if (MaxValue is < 10 or > 99_999) throw new ArgumentException($"MaxValue must be 10..99999, not {MaxValue}.");
        if (GroupEvents.Any(k => !k.IsGroup())) throw new ArgumentException("GroupEvents may only hold BuyGroups and SellGroups.");
        if (SingleEvents.Length == 0 || SingleEvents.Any(k => k.IsGroup()))
            throw new ArgumentException("SingleEvents must hold at least one of Receive, GiveAway, Multiply, Share (and no group kind).");
        if (Names < 1 || Names > Phrasebook.MaxNames) throw new ArgumentException($"Names must be 1..{Phrasebook.MaxNames}, not {Names}.");
        if (Objects < 1 || Objects > Phrasebook.MaxObjects) throw new ArgumentException($"Objects must be 1..{Phrasebook.MaxObjects}, not {Objects}.");
        if (Phrasings < 1 || Phrasings > Phrasebook.MaxPhrasings) throw new ArgumentException($"Phrasings must be 1..{Phrasebook.MaxPhrasings}, not {Phrasings}.");
        return this;
    }
}
