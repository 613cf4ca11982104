namespace LlmDistill.Generation;

/// <summary>Live counters of a generate run, reported after every finished question.</summary>
public sealed record GenerateProgress(long QuestionsDone, long QuestionsTotal, long Rows, long GeneratedTokens, double TokensPerSecond, double? Accuracy, TimeSpan Elapsed)
{
    /// <summary>Remaining time at the current pace; null until something is done or when the total is unknown.</summary>
    public TimeSpan? Eta => QuestionsDone == 0 || QuestionsTotal <= QuestionsDone ? null
        : TimeSpan.FromSeconds(Elapsed.TotalSeconds / QuestionsDone * (QuestionsTotal - QuestionsDone));
}

/// <summary>What a generate run did (this run only; resumed questions are counted separately).</summary>
public sealed record GenerateSummary
{
    public required string OutputFolder { get; init; }
    /// <summary>The prompt template's name and where it came from (a file, or <c>builtin:NAME</c> when none was given).</summary>
    public string PromptTemplate { get; init; } = "";
    /// <summary>What <see cref="GenerateSettings.Export"/> wrote; null when no export was asked for or the run was interrupted.</summary>
    public Traces.Export.TraceExportSummary? Export { get; init; }
    public required long Questions { get; init; }
    public required long Samples { get; init; }
    public required long ResumedQuestions { get; init; }
    public required long SkippedInvalidRows { get; init; }
    public required long PromptTokens { get; init; }
    public required long GeneratedTokens { get; init; }
    /// <summary>Share of samples whose answer matches gold, over samples of questions that have gold; null when none has.</summary>
    public required double? TeacherAccuracy { get; init; }
    /// <summary>Share of questions whose majority answer matches gold; null when none has gold.</summary>
    public required double? MajorityAccuracy { get; init; }
    public required long KeptTraces { get; init; }
    public required IReadOnlyDictionary<string, long> FinishReasons { get; init; }
    public required double BytesPerToken { get; init; }
    public required double MaxLogprobError { get; init; }
    public required TimeSpan Wall { get; init; }
    /// <summary>From the first decode to the last part file closed: the generation itself, without loading and hashing the teacher.</summary>
    public required TimeSpan GenerationWall { get; init; }
    /// <summary>
    /// The teacher's decode loop alone, from its first llama_decode to its last token (what llama-batched-bench times):
    /// the generation wall less creating the llama.cpp context and closing the last part file.
    /// </summary>
    public TimeSpan DecodeWall { get; init; }
    /// <summary>The part of <see cref="DecodeWall"/> spent inside llama_decode; the rest is ours (soft targets, sampling, rows).</summary>
    public TimeSpan LlamaDecode { get; init; }
    /// <summary>Stopped by cancellation (Ctrl-C): finished questions are on disk, the rest resumes next time.</summary>
    public required bool Interrupted { get; init; }
}
