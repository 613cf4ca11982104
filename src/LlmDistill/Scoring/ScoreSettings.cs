using System.ComponentModel;
using LlmDistill.Options;
using LlmDistill.Teacher;

namespace LlmDistill.Scoring;

/// <summary>Everything the score stage (<see cref="ScoreRun"/>) needs; each default is the one place that default lives.</summary>
public sealed record ScoreSettings : IValidatedOptions
{
    [OptionName("teacher", "-t"), PathOption, Description("Teacher GGUF model that scores the given tokens (run by llama.cpp; with a teacher URL, only its tokenizer, for the tokenizer check and provenance).")]
    public required string TeacherPath { get; init; }

    [OptionName("traces"), PathOption, Description("Trace folder or part file whose prompt and completion token ids are scored (any source: generate, traces import, a student's samples).")]
    public required string TracesPath { get; init; }

    [OptionName("out", "-o"), PathOption, Description("Output folder for the scored traces and _nll.parquet (resumes if it exists).")]
    public required string OutputFolder { get; init; }

    /// <summary>How llama.cpp runs the teacher; Parallel is the most rows in flight, ContextPerSequence the longest row.</summary>
    public EngineOptions Engine { get; init; } = new();
    /// <summary>Alternatives recorded per completion token.</summary>
    public CaptureOptions Capture { get; init; } = new();
    /// <summary>
    /// Servers running `llmdistill serve` over the teacher (its /v1/score reads given token ids), instead of a local
    /// llama.cpp; TeacherPath then names the tokenizer only. Capture top-k is at most 20 there.
    /// </summary>
    public RemoteTeacherOptions Remote { get; init; } = new();

    /// <summary>
    /// Read the teacher at each trace's own top-k ids (a student's samples carry the student's top-k) instead of at the
    /// teacher's top-k: the coarsened distributions reverse KL compares (docs/on-policy.md). The traces' k must equal
    /// the capture top-k.
    /// </summary>
    [Description("Read the teacher's log-probabilities at each trace's own top-k ids (e.g. a student's, for reverse KL) instead of at the teacher's top-k.")]
    public bool AtTraceTopK { get; init; }

    [Description("Delete scored traces in the output folder made by another teacher or top-k and start over.")]
    public bool Force { get; init; }

    [Description("Traces per Parquet part file.")]
    public int RowsPerPart { get; init; } = 5000;

    /// <inheritdoc/>
    public IEnumerable<OptionError> Validate() => OptionChecks.Collect(
        [
            OptionChecks.FileExists(nameof(TeacherPath), TeacherPath),
            File.Exists(TracesPath) || Directory.Exists(TracesPath) ? null : new OptionError(nameof(TracesPath), $"names {TracesPath}, which does not exist"),
            Path.GetFullPath(TracesPath) == Path.GetFullPath(OutputFolder) ? new OptionError(nameof(OutputFolder), "is the folder being scored: choose another folder") : null,
            OptionChecks.AtLeast(nameof(RowsPerPart), RowsPerPart, 1),
            Remote.Enabled && Capture.TopK > RemoteTeacher.MaxTopK
                ? new OptionError(nameof(Capture.TopK), $"must be at most {RemoteTeacher.MaxTopK} with a remote teacher (the most alternatives its servers return), not {Capture.TopK}").Under(nameof(Capture))
                : null,
        ],
        (nameof(Engine), Engine), (nameof(Capture), Capture), (nameof(Remote), Remote));
}
