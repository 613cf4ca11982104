using static LlmDistill.Tests.Fixtures.CliRun;
using LlmDistill.Cli;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Traces;
using LlmDistill.Tests.Traces.Export;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Cli;

public sealed class TestTracesCommand : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Traces_export_writes_the_file_and_its_sidecar_and_prints_what_it_wrote()
    {
        string traces = _directory.File("traces");
        ExportTestTraces.Write(traces);
        string output = _directory.File("sft.jsonl");

        var (code, text, error) = Run("traces", "export", "--traces", traces, "--out", output, "--format", "sharegpt", "--keep-only", "false");

        Assert.True(code == 0, error);
        Assert.Equal(9, File.ReadAllLines(output).Length);
        Assert.True(File.Exists(_directory.File("sft.provenance.json")));
        Assert.Contains("9 / 10", text);
    }

    [Fact]
    public void Traces_export_of_an_unknown_format_exits_with_2_naming_it()
    {
        string traces = _directory.File("traces");
        ExportTestTraces.Write(traces);

        var (code, _, error) = Run("traces", "export", "--traces", traces, "--out", _directory.File("x.csv"), "--format", "csv");

        Assert.Equal(2, code);
        Assert.Contains("--format cannot be 'csv'", error);
        Assert.Contains("kd-topk", error);
        Assert.False(File.Exists(_directory.File("x.csv")));
    }

    [Fact]
    public void Traces_import_of_a_bad_line_exits_with_2_naming_file_and_line()
    {
        var (vocabulary, _) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("sft.jsonl", "{\"messages\":[]}\n");

        var (code, _, error) = Run("traces", "import", "--in", input, "--format", "chat-jsonl", "--teacher-tokenizer", vocabulary, "--out", _directory.File("gold"));

        Assert.Equal(2, code);
        Assert.Contains($"{input}:1: 'messages' needs a user and an assistant turn", error);
    }

    [Fact]
    public void Traces_import_writes_gold_traces_that_the_trace_reader_reads()
    {
        var (vocabulary, _) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("sft.jsonl", "{\"conversations\":[{\"from\":\"human\",\"value\":\"hi\"},{\"from\":\"gpt\",\"value\":\"hello\"}]}\n");

        var (code, text, error) = Run("traces", "import", "--in", input, "--format", "sharegpt", "--teacher-tokenizer", vocabulary, "--out", _directory.File("gold"));

        Assert.True(code == 0, error);
        Assert.Contains("wrote 1 gold traces", text);
        Assert.Equal("hello", Assert.Single(TraceReader.Read(_directory.File("gold"))).CompletionText);
    }
}
