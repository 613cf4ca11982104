using LlmDistill.Options;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Traces.Export;

namespace LlmDistill.Tests.Traces.Export;

public sealed class TestTraceExportSettings : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Errors_name_the_property_not_a_command_line_flag()
    {
        var settings = new TraceExportSettings
        {
            TracesPath = _directory.File("missing"), OutputPath = _directory.Path, Format = (TraceExportFormat)42, IncludeLogprobs = -1,
            PromptPath = _directory.File("missing.yaml"),
        };

        var errors = settings.Validate().Select(e => e.ToString()).ToList();

        Assert.Equal(5, errors.Count);
        foreach (var (error, property) in errors.Zip(new[] { "TracesPath", "OutputPath", "Format", "IncludeLogprobs", "PromptPath" }))
        {
            Assert.StartsWith(property, error);
            Assert.DoesNotContain("--", error);
        }
        var e = Assert.Throws<OptionsException>(() => OptionsException.ThrowIfInvalid(settings));
        Assert.Contains("TraceExportSettings.IncludeLogprobs must be 0 or more", e.Message);
    }

    [Fact]
    public void A_parquet_output_inside_the_trace_folder_must_start_with_an_underscore()
    {
        string traces = Directory.CreateDirectory(_directory.File("traces")).FullName;
        TraceExportSettings Into(string name) => new() { TracesPath = traces, OutputPath = Path.Combine(traces, name), Format = TraceExportFormat.ParquetDecoded };

        Assert.Equal("OutputPath", Assert.Single(Into("decoded.parquet").Validate()).Property);
        Assert.Empty(Into("_decoded.parquet").Validate());
        Assert.Empty(Into("decoded.jsonl").Validate());
        Assert.Equal(Path.Combine(traces, "_parquet-decoded.parquet"), TraceExportSettings.BesideTraces(traces, TraceExportFormat.ParquetDecoded));
    }

    [Fact]
    public void Kd_topk_needs_at_least_one_alternative_per_token()
    {
        var settings = new TraceExportSettings { TracesPath = _directory.Path, OutputPath = _directory.File("kd.jsonl"), Format = TraceExportFormat.KdTopk, IncludeLogprobs = 0 };

        Assert.StartsWith("IncludeLogprobs must be at least 1 for kd-topk", Assert.Single(settings.Validate()).ToString());
        Assert.Empty((settings with { IncludeLogprobs = 1 }).Validate());
        Assert.Empty((settings with { IncludeLogprobs = 0, Format = TraceExportFormat.ChatJsonl }).Validate());
    }

    [Fact]
    public void Format_names_parse_back_and_unknown_ones_are_refused_with_the_list()
    {
        foreach (var format in Enum.GetValues<TraceExportFormat>())
            Assert.Equal(format, TraceExportFormats.Parse(format.ToName()));
        var e = Assert.Throws<FormatException>(() => TraceExportFormats.Parse("csv"));
        Assert.Contains("'csv'", e.Message);
        Assert.Contains("kd-topk", e.Message);
    }
}
