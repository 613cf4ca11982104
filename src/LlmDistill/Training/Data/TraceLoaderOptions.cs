namespace LlmDistill.Training.Data;

/// <summary>How <see cref="TraceDataLoader"/> turns a trace folder into batches. Same folder + same options = same batches.</summary>
internal sealed record TraceLoaderOptions
{
    /// <summary>Sequences per batch (B).</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Most positions per sequence (T), see <see cref="TraceExampleOptions.MaxSequenceLength"/>.</summary>
    public int MaxSequenceLength { get; init; } = 2048;

    /// <summary>T is the batch's longest example rounded up to a multiple of this (1 = the longest), capped at <see cref="MaxSequenceLength"/>.</summary>
    public int PadToMultipleOf { get; init; } = 8;

    /// <summary>Examples shuffled together; memory holds about this many examples.</summary>
    public int ShuffleBuffer { get; init; } = 1024;

    /// <summary>Sort each shuffled buffer by length before cutting it into batches (less padding); batch order is shuffled again.</summary>
    public bool SortByLength { get; init; }

    /// <summary>Seed of every shuffle; epoch e shuffles with a generator derived from (Seed, e).</summary>
    public long Seed { get; init; }

    public TraceKeepFilter Keep { get; init; } = TraceKeepFilter.RespectKeep;

    /// <summary>Percent of questions (by example id, see <see cref="EvaluationSplit"/>) held out for evaluation, 0..100.</summary>
    public int EvaluationPercent { get; init; }

    /// <summary>Weight of traces whose answer was correct; others weigh 1.</summary>
    public float CorrectWeight { get; init; } = 1;

    /// <summary>Drop the last batch of an epoch when it has fewer than <see cref="BatchSize"/> examples.</summary>
    public bool DropLastPartialBatch { get; init; }

    public TraceExampleOptions ExampleOptions => new() { MaxSequenceLength = MaxSequenceLength, CorrectWeight = CorrectWeight };

    public TraceLoaderOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(BatchSize, 1, nameof(BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(PadToMultipleOf, 1, nameof(PadToMultipleOf));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShuffleBuffer, 1, nameof(ShuffleBuffer));
        ArgumentOutOfRangeException.ThrowIfNegative(EvaluationPercent, nameof(EvaluationPercent));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(EvaluationPercent, 100, nameof(EvaluationPercent));
        ExampleOptions.Validate();
        return this;
    }
}
