namespace LlmDistill.Scoring;

/// <summary>Live counters of a score run, reported after every scored row.</summary>
public sealed record ScoreProgress(long RowsDone, long RowsTotal, long ScoredTokens, double TokensPerSecond, TimeSpan Elapsed);

/// <summary>What a score run did (this run only; rows already in the output folder are counted separately).</summary>
public sealed record ScoreSummary
{
    /// <summary>The scored trace folder.</summary>
    public required string OutputFolder { get; init; }
    /// <summary>The per-row mean teacher NLL of every scored trace in the output folder (<see cref="RowNll"/>).</summary>
    public required string NllPath { get; init; }
    /// <summary>Rows written by this run, scored or passed through.</summary>
    public required long Rows { get; init; }
    /// <summary>Rows already in the output folder, skipped.</summary>
    public required long ResumedRows { get; init; }
    /// <summary>Rows without completion tokens (failed generations): written with empty teacher columns.</summary>
    public required long EmptyRows { get; init; }
    /// <summary>Rows the teacher could not read (no prompt, too long for a sequence, ids outside its vocabulary): not written.</summary>
    public required long SkippedRows { get; init; }
    /// <summary>Why the first skipped row was skipped; null when none was.</summary>
    public string? FirstSkipReason { get; init; }
    /// <summary>Tokens the teacher read: prompts and completions (what llama-batched-bench's PP rate counts).</summary>
    public required long DecodedTokens { get; init; }
    /// <summary>Completion tokens given a teacher distribution.</summary>
    public required long ScoredTokens { get; init; }
    /// <summary>Mean teacher NLL per scored token of this run, nats; null when none was scored.</summary>
    public required double? MeanNll { get; init; }
    /// <summary>Largest rounding error of a stored log-probability, nats (≤ 1/128).</summary>
    public required double MaxLogprobError { get; init; }
    /// <summary>The whole run, loading and hashing the teacher and the NLL pass included.</summary>
    public required TimeSpan Wall { get; init; }
    /// <summary>From the first llama_decode to the last row scored (without loading the teacher and the NLL pass).</summary>
    public required TimeSpan ScoringWall { get; init; }
    /// <summary>The part of <see cref="ScoringWall"/> spent inside llama_decode.</summary>
    public required TimeSpan LlamaDecode { get; init; }
    /// <summary>Stopped by cancellation (Ctrl-C): scored rows are on disk, the rest resumes next time.</summary>
    public required bool Interrupted { get; init; }
}
