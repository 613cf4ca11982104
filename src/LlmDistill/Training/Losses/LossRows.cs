using static TorchSharp.torch;

namespace LlmDistill.Training.Losses;

/// <summary>
/// The positions of a batch that carry loss (rationale or answer tokens), flattened to M rows, with the teacher's
/// coarsened distribution already softened and the per-row weights that turn sums into the weighted means of
/// <see cref="DistillationLossOptions"/>: each weight column sums to 1 over its rows (or is all 0 when it has none).
/// Rows without a usable teacher distribution get a harmless stand-in (uniform over K + 1 outcomes on ids 0..K−1)
/// so that the chunk arithmetic stays finite everywhere; their KL weight is 0.
/// </summary>
sealed class LossRows
{
    /// <summary>(M) int64: indices of the rows in the flattened B·T positions.</summary>
    public required Tensor Positions { get; init; }
    /// <summary>(M) int64: the token the student should predict.</summary>
    public required Tensor TargetIds { get; init; }
    /// <summary>(M, K) int64: the teacher's top-k ids, every one a valid vocabulary index.</summary>
    public required Tensor TopKIds { get; init; }
    /// <summary>(M, K) bool: the slots that hold a teacher candidate.</summary>
    public required Tensor SlotUsed { get; init; }
    /// <summary>(M, K + 1): the teacher's coarsened log-probabilities at the loss temperature.</summary>
    public required Tensor Teacher { get; init; }
    /// <summary>(M): weights of the KL mean.</summary>
    public required Tensor KlWeight { get; init; }
    /// <summary>(M): weights of the NLL mean (example weight × span weight).</summary>
    public required Tensor NllWeight { get; init; }
    /// <summary>(M): weights of the logged rationale NLL mean (example weight on rationale rows).</summary>
    public required Tensor RationaleWeight { get; init; }
    /// <summary>(M): weights of the logged answer NLL mean (example weight on answer rows).</summary>
    public required Tensor AnswerWeight { get; init; }
    /// <summary>0-d int64: rows that enter the KL term.</summary>
    public required Tensor TeacherPositions { get; init; }

    public long Count => Positions.shape[0];

    /// <summary>Rows [start, start + length) as views.</summary>
    public LossRows Slice(long start, long length) => new()
    {
        Positions = Positions.narrow(0, start, length),
        TargetIds = TargetIds.narrow(0, start, length),
        TopKIds = TopKIds.narrow(0, start, length),
        SlotUsed = SlotUsed.narrow(0, start, length),
        Teacher = Teacher.narrow(0, start, length),
        KlWeight = KlWeight.narrow(0, start, length),
        NllWeight = NllWeight.narrow(0, start, length),
        RationaleWeight = RationaleWeight.narrow(0, start, length),
        AnswerWeight = AnswerWeight.narrow(0, start, length),
        TeacherPositions = TeacherPositions,
    };

    /// <summary>Selects the loss rows of <paramref name="batch"/>; float fields become <paramref name="type"/> on <paramref name="device"/>.</summary>
    public static LossRows From(DistillationBatch batch, DistillationLossOptions options, double temperature, ScalarType type, Device device)
    {
        batch.Validate();
        long k = batch.TopK;
        var spanAll = batch.SpanKinds.to(device).reshape(-1);                                      // (N)
        var positions = spanAll.ne(SpanKind.Ignore).nonzero().squeeze(-1);                        // (M)
        long m = positions.shape[0];

        Tensor Rows(Tensor t, params long[] rowShape) => t.to(device).reshape(rowShape).index_select(0, positions);
        var span = spanAll.index_select(0, positions);                                             // (M)
        var exampleWeight = Rows(batch.ExampleWeights.to(type).unsqueeze(1).expand(batch.BatchSize, batch.SequenceLength), -1); // (M)
        var logprobs = Rows(batch.TeacherTopKLogprobs.to(type), -1, k);                            // (M, K)
        var tail = Rows(batch.TeacherTailMass.to(type), -1);                                       // (M)
        var ids = Rows(batch.TeacherTopKIds, -1, k);                                               // (M, K)
        var present = Rows(batch.TeacherPresent, -1);                                              // (M)

        var slotUsed = logprobs.isfinite();                                                        // (M, K)
        var klRow = present.logical_and(slotUsed.any(-1));                                         // (M)
        var klRowK = klRow.unsqueeze(-1);                                                          // (M, 1)
        var standInIds = arange(k, dtype: ScalarType.Int64, device: device).expand(m, k);
        ids = where(klRowK, where(slotUsed, ids, zeros_like(ids)), standInIds);
        logprobs = where(klRowK, logprobs, full_like(logprobs, -Math.Log(k + 1)));
        tail = where(klRow, tail, full_like(tail, 1.0 / (k + 1)));
        slotUsed = slotUsed.logical_or(klRowK.logical_not());
        var teacherAtOne = CoarsenedDistribution.Teacher(logprobs, tail);                          // (M, K + 1)

        var klWeight = exampleWeight * klRow.to(type);
        if (options.EntropyWeighting is { } entropy)
            klWeight = klWeight * (CoarsenedDistribution.Entropy(teacherAtOne) / -entropy.ScaleNats).exp();
        var isRationale = span.eq(SpanKind.Rationale).to(type);
        var isAnswer = span.eq(SpanKind.Answer).to(type);
        if (batch.DivergenceOnly) (isRationale, isAnswer) = (zeros_like(isRationale), zeros_like(isAnswer));
        var nllWeight = exampleWeight * (isRationale * options.RationaleWeight + isAnswer * options.AnswerWeight);

        return new LossRows
        {
            Positions = positions,
            TargetIds = Rows(batch.TargetIds, -1),
            TopKIds = ids,
            SlotUsed = slotUsed,
            Teacher = CoarsenedDistribution.Soften(teacherAtOne, temperature),
            KlWeight = Normalised(klWeight),
            NllWeight = Normalised(nllWeight),
            RationaleWeight = Normalised(exampleWeight * isRationale),
            AnswerWeight = Normalised(exampleWeight * isAnswer),
            TeacherPositions = klRow.sum(),
        };
    }

    /// <summary>w / Σ w, or all zeros when Σ w = 0 (a term with no rows contributes 0, not NaN).</summary>
    static Tensor Normalised(Tensor weights) => weights / weights.sum().clamp_min(1e-30);
}
