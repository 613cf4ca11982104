namespace LlmDistill.Scoring;

/// <summary>
/// Something that reads <see cref="ForcedRow"/>s with a teacher and yields their <see cref="ForcedScores"/> (any order;
/// each carries its row's index): a local GGUF (<see cref="TeacherForcing"/>) or servers' /v1/score (<see cref="RemoteTeacherForcing"/>).
/// </summary>
internal interface IForcedScorer : IDisposable
{
    /// <summary>Scores every row; rows the teacher cannot read come back with <see cref="ForcedScores.Error"/> set.</summary>
    IEnumerable<ForcedScores> Score(IEnumerable<ForcedRow> rows, CancellationToken cancel = default);

    /// <summary>Tokens the teacher read (prompts and completions) in the last <see cref="Score"/>.</summary>
    long DecodedTokens { get; }

    /// <summary>Time inside llama_decode in the last <see cref="Score"/> (zero when the teacher runs elsewhere).</summary>
    TimeSpan LlamaDecode { get; }
}
