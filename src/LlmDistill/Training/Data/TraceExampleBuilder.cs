using LlmDistill.Tokenization;
using LlmDistill.Traces;
using LlmDistill.Training.Losses;

namespace LlmDistill.Training.Data;

/// <summary>
/// Turns trace records into <see cref="TraceExample"/>s for one student vocabulary. The rationale/answer split is found
/// in characters (<see cref="AnswerBoundary"/>) and mapped to tokens by decoding each completion token's bytes exactly
/// as the generator did (<see cref="TokenPieces.CharacterStarts"/>): a token is an answer token when it begins at or
/// after the rationale's end, so a token straddling the boundary stays rationale. Thread-safe.
/// </summary>
internal sealed class TraceExampleBuilder
{
    readonly TokenPieces _pieces;

    public TraceExampleBuilder(TokenizerVocabulary vocabulary, TraceExampleOptions? options = null)
        : this(new TokenPieces(vocabulary), options) { }

    public TraceExampleBuilder(TokenPieces pieces, TraceExampleOptions? options = null)
    {
        _pieces = pieces ?? throw new ArgumentNullException(nameof(pieces));
        Options = (options ?? new TraceExampleOptions()).Validate();
    }

    public TraceExampleOptions Options { get; }

    /// <summary>
    /// The example, or null with the reason when the record cannot make one (<see cref="TraceSkipReason.Empty"/>,
    /// <see cref="TraceSkipReason.TooLong"/>). Throws <see cref="InvalidDataException"/> when a token id is outside the
    /// student's vocabulary, and <see cref="ArgumentException"/> when the record's arrays disagree in length.
    /// </summary>
    public TraceExample? Build(TraceRecord record, out TraceSkipReason skipped)
    {
        ArgumentNullException.ThrowIfNull(record);
        record.Validate();
        CheckIds(record, record.PromptTokenIds, "prompt");
        CheckIds(record, record.CompletionTokenIds, "completion");
        CheckIds(record, record.TopIds, "teacher top-k");
        skipped = default;

        int p = record.PromptTokenIds.Length, n = record.CompletionTokenIds.Length;
        if (p == 0 || n == 0) { skipped = TraceSkipReason.Empty; return null; }
        if (n > Options.MaxSequenceLength) { skipped = TraceSkipReason.TooLong; return null; }
        int keptPrompt = Math.Min(p, Options.MaxSequenceLength + 1 - n);

        var tokens = new int[keptPrompt + n];
        record.PromptTokenIds.AsSpan(p - keptPrompt).CopyTo(tokens);
        record.CompletionTokenIds.CopyTo(tokens, keptPrompt);

        var spans = new byte[tokens.Length - 1];                          // (T), 0 on prompt positions
        bool boundaryMissing = FillCompletionSpans(record, spans.AsSpan(keptPrompt - 1));

        return new TraceExample
        {
            Key = record.Key, TokenIds = tokens, SpanKinds = spans, PromptLength = keptPrompt, DroppedPromptTokens = p - keptPrompt,
            TopK = record.TopK, TeacherTopIds = record.TopIds, TeacherTopLogprobs = record.TopLogprobs, TeacherTailMass = record.TailMass,
            Weight = record.Correct == true ? Options.CorrectWeight : 1, AnswerBoundaryMissing = boundaryMissing,
        };
    }

    /// <summary>Writes 1 (rationale) or 2 (answer) for each completion token; returns true when the boundary was not found.</summary>
    bool FillCompletionSpans(TraceRecord record, Span<byte> completionSpans)
    {
        int? rationaleEnd = record.Answer is null ? null : AnswerBoundary.RationaleEnd(record.CompletionText, record.Rationale);
        if (rationaleEnd is not { } end)
        {
            completionSpans.Fill((byte)SpanKind.Rationale);
            return record.Answer is not null;
        }
        int[] starts = _pieces.CharacterStarts(record.CompletionTokenIds);   // (n + 1)
        for (int j = 0; j < completionSpans.Length; j++)
            completionSpans[j] = (byte)(starts[j] < end ? SpanKind.Rationale : SpanKind.Answer);
        return false;
    }

    void CheckIds(TraceRecord record, int[] ids, string what)
    {
        foreach (int id in ids)
            if ((uint)id >= (uint)_pieces.Count)
                throw new InvalidDataException(
                    $"trace {record.Key} has {what} token id {id}, outside the student's vocabulary of {_pieces.Count} tokens; train a student with the teacher's vocabulary");
    }
}
