using LlmDistill.Options;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using LlmDistill.Generation.Prompts;
using Parquet;

namespace LlmDistill.Traces.Export;

/// <summary>
/// `llmdistill traces export`: trace rows out to the files other training tools read (<see cref="TraceExportFormat"/>).
/// Rows stream one row group at a time from <see cref="TraceReader"/> to the format's writer, so memory does not grow
/// with the number of rows; the output (and its provenance sidecar) is written to a temporary and renamed into place
/// only when complete, so a failure or a cancellation leaves no partial file.
/// </summary>
public static class TraceExport
{
    const int ProgressEveryRows = 1024;

    public static TraceExportSummary Run(TraceExportSettings settings, IProgress<TraceExportProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => RunAsync(settings, progress, cancellationToken), cancellationToken).GetAwaiter().GetResult();

    public static async Task<TraceExportSummary> RunAsync(TraceExportSettings settings, IProgress<TraceExportProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        OptionsException.ThrowIfInvalid(settings);
        var clock = Stopwatch.StartNew();
        var parts = TracePartFiles.List(settings.TracesPath);
        if (parts.Count == 0) throw new InvalidDataException($"'{settings.TracesPath}' holds no trace part files (part-*.parquet)");
        var (rowsTotal, teachers) = await ScanAsync(parts, cancellationToken).ConfigureAwait(false);
        var template = settings.PromptPath is null ? null : PromptTemplate.Resolve(settings.PromptPath);
        CheckTemplate(settings, template, teachers);
        var provenance = new TraceExportProvenance
        {
            Format = settings.Format.ToName(), Source = settings.TracesPath, KeepOnly = settings.KeepOnly,
            IncludeLogprobs = settings.IncludeLogprobs, PromptTemplateSha256 = template?.Hash,
            ToolVersion = typeof(TraceExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev",
            TraceSchemaVersion = TraceSchema.Version, Teachers = teachers,
        };

        long read = 0, written = 0, notKept = 0, empty = 0, tokens = 0;
        await using var output = new AtomicOutputFile(settings.OutputPath);
        await using (var sink = await OpenSinkAsync(output.Stream, settings, template, provenance, cancellationToken).ConfigureAwait(false))
        {
            await foreach (var row in TraceReader.ReadAsync(settings.TracesPath, cancellationToken).ConfigureAwait(false))
            {
                // Rows of a row group already in memory come without a check of the token; stop between rows.
                cancellationToken.ThrowIfCancellationRequested();
                read++;
                if (settings.KeepOnly && !row.Keep) notKept++;
                else if (await sink.WriteAsync(row, cancellationToken).ConfigureAwait(false))
                {
                    written++;
                    tokens += row.CompletionTokenCount;
                }
                else empty++;
                if (read % ProgressEveryRows == 0) progress?.Report(new(read, rowsTotal, written, output.Stream.Position));
            }
            await sink.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        long bytes = output.Stream.Length;
        await output.CommitAsync(cancellationToken).ConfigureAwait(false);

        string? sidecar = null;
        if (settings.Format.IsJsonLines())
        {
            sidecar = TraceExportProvenance.SidecarPath(output.TargetPath);
            await using var file = new AtomicOutputFile(sidecar);
            await file.Stream.WriteAsync(Encoding.UTF8.GetBytes((provenance with { Rows = written }).ToJson() + "\n"), cancellationToken).ConfigureAwait(false);
            await file.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        progress?.Report(new(read, rowsTotal, written, bytes));
        return new TraceExportSummary
        {
            Format = settings.Format, OutputPath = output.TargetPath, ProvenancePath = sidecar, RowsRead = read, RowsWritten = written,
            RowsNotKept = notKept, RowsEmpty = empty, CompletionTokens = tokens, OutputBytes = bytes, Wall = clock.Elapsed,
        };
    }

    static async Task<ITraceExportSink> OpenSinkAsync(Stream stream, TraceExportSettings settings, PromptTemplate? template,
        TraceExportProvenance provenance, CancellationToken cancellationToken) =>
        settings.Format == TraceExportFormat.ParquetDecoded
            ? await DecodedParquetSink.CreateAsync(stream, settings, provenance.ToJson(), cancellationToken).ConfigureAwait(false)
            : new JsonLinesSink(stream, settings, template);

    /// <summary>Rows in the part files (from their footers) and the distinct provenance they carry.</summary>
    static async Task<(long Rows, IReadOnlyList<TraceProvenance> Teachers)> ScanAsync(IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        long rows = 0;
        var teachers = new List<TraceProvenance>();
        foreach (string part in parts)
        {
            var provenance = await TraceReader.ReadProvenanceAsync(part, cancellationToken).ConfigureAwait(false);
            if (!teachers.Contains(provenance)) teachers.Add(provenance);
            await using var reader = await TraceReader.OpenAsync(part, cancellationToken).ConfigureAwait(false);
            rows += reader.Metadata?.NumRows ?? 0;
        }
        return (rows, teachers);
    }

    /// <summary>A template other than the one the traces were made with would put other words in the teacher's mouth.</summary>
    static void CheckTemplate(TraceExportSettings settings, PromptTemplate? template, IReadOnlyList<TraceProvenance> teachers)
    {
        if (template is null || teachers.Any(t => t.PromptTemplateSha256 == template.Hash)) return;
        var made = teachers[0];
        throw OptionsException.For<TraceExportSettings>(nameof(settings.PromptPath), $"'{settings.PromptPath}' (sha256 {template.Hash[..12]}…) is not the template the traces were made with ('{made.PromptTemplateName}', sha256 {(made.PromptTemplateSha256.Length >= 12 ? made.PromptTemplateSha256[..12] : made.PromptTemplateSha256)}…)");
    }
}
