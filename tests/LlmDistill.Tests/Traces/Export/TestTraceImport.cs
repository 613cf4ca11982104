using LlmDistill.Runtime;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using LlmDistill.Training.Data;
using LlmDistill.Traces;
using LlmDistill.Traces.Export;
using LlmDistill.Traces.Import;

namespace LlmDistill.Tests.Traces.Export;

public sealed class TestTraceImport : IDisposable
{
    readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    TraceImportSummary Import(string input, TraceExportFormat format, string tokenizer, string folder) => TraceImport.Run(new TraceImportSettings
    {
        InputPath = input, Format = format, TokenizerPath = tokenizer, OutputFolder = folder,
    });

    [Theory]
    [InlineData(TraceExportFormat.ChatJsonl)]
    [InlineData(TraceExportFormat.Sharegpt)]
    [InlineData(TraceExportFormat.Alpaca)]
    public void Export_then_import_then_export_gives_the_same_file(TraceExportFormat format)
    {
        var (_, prompt, provenance) = ExportTestTraces.Template(_directory);
        string traces = _directory.File("traces");
        ExportTestTraces.Write(traces, provenance);
        var (vocabulary, _) = ExportTestTraces.VocabularyGguf(_directory);
        // One row without a system message too: the template gives every trace one.
        var first = TraceExport.Run(new TraceExportSettings { TracesPath = traces, OutputPath = _directory.File("first.jsonl"), Format = format, PromptPath = prompt });
        File.AppendAllText(first.OutputPath, Line(format));

        var imported = Import(first.OutputPath, format, vocabulary, _directory.File("imported"));
        var second = TraceExport.Run(new TraceExportSettings { TracesPath = imported.OutputFolder, OutputPath = _directory.File("second.jsonl"), Format = format });

        Assert.Equal(first.RowsWritten + 1, imported.Rows);
        Assert.Equal(File.ReadAllText(first.OutputPath), File.ReadAllText(second.OutputPath));
    }

    static string Line(TraceExportFormat format) => format switch
    {
        TraceExportFormat.ChatJsonl => """{"messages":[{"role":"user","content":"2 + 2 = ? ✓"},{"role":"assistant","content":"4\n#### 4"}]}""" + "\n",
        TraceExportFormat.Sharegpt => """{"conversations":[{"from":"human","value":"2 + 2 = ? ✓"},{"from":"gpt","value":"4\n#### 4"}]}""" + "\n",
        _ => """{"instruction":"2 + 2 = ? ✓","input":"","output":"4\n#### 4"}""" + "\n",
    };

    [Fact]
    public void Imported_traces_are_gold_traces_in_the_vocabulary_ids()
    {
        var (path, vocabulary) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("sft.jsonl", """
            {"instruction":"Add 2 and 2.","input":"Show the sum.","output":"2 + 2 = 4\n#### 4","system":"Be brief."}

            {"instruction":"Say hi.","output":"hi"}
            """);

        var summary = Import(input, TraceExportFormat.Alpaca, path, _directory.File("gold"));

        var rows = TraceReader.Read(summary.OutputFolder).ToList();
        var tokenizer = VocabularyTokenizer.Create(vocabulary);
        Assert.Equal(2, summary.Rows);
        Assert.Equal(["sft/train/1/0", "sft/train/3/0"], rows.Select(r => r.Key));
        var first = rows[0];
        Assert.Equal(("Add 2 and 2.\n\nShow the sum.", "Be brief.\n\nAdd 2 and 2.\n\nShow the sum."), (first.Question, first.PromptText));
        Assert.Equal(tokenizer.Encode(first.PromptText, addSpecial: true), first.PromptTokenIds);
        Assert.Equal([.. tokenizer.Encode("2 + 2 = 4\n#### 4", addSpecial: false), vocabulary.Special.Eos!.Value], first.CompletionTokenIds);
        Assert.Equal(("4", 0, true), (first.Answer, first.TopK, first.Keep));
        Assert.All(rows, r => Assert.Equal(r.CompletionTokenCount, r.TailMass.Length));
        var provenance = TraceReader.ReadProvenance(TracePartFiles.List(summary.OutputFolder)[0]);
        Assert.Equal((TokenizerFingerprint.Compute(vocabulary), 0, "import:sft.jsonl"), (provenance.TokenizerFingerprint, provenance.CaptureTopK, provenance.TeacherFileName));
    }

    [Fact]
    public void The_training_data_loader_reads_imported_traces_with_the_teachers_vocabulary()
    {
        var (path, vocabulary) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("sft.jsonl", string.Concat(Enumerable.Range(1, 5).Select(i =>
            $$"""{"messages":[{"role":"system","content":"Add."},{"role":"user","content":"{{i}} + {{i}}"},{"role":"assistant","content":"{{2 * i}}\n#### {{2 * i}}"}]}""" + "\n")));
        var summary = Import(input, TraceExportFormat.ChatJsonl, path, _directory.File("gold"));

        TorchRuntime.EnsureLoadable();
        var loader = new TraceDataLoader(summary.OutputFolder, vocabulary, new TraceLoaderOptions { BatchSize = 2 });
        long examples = 0, lossTokens = 0;
        foreach (var batch in loader.ReadEpoch(0))
            using (batch)
            {
                examples += batch.Examples;
                lossTokens += batch.LossTokens;
            }

        Assert.Equal(5, examples);
        Assert.Equal(summary.CompletionTokens, lossTokens);
    }

    [Theory]
    [InlineData(TraceExportFormat.ChatJsonl, """{"messages":[{"role":"user","content":"q"}]}""", "needs a user and an assistant turn")]
    [InlineData(TraceExportFormat.ChatJsonl, """{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"},{"role":"user","content":"q2"}]}""", "messages[2].role 'user'")]
    [InlineData(TraceExportFormat.Sharegpt, """{"conversations":[{"from":"human","value":3}]}""", "conversations[0]: 'value' is missing or not a string")]
    [InlineData(TraceExportFormat.Alpaca, """{"instruction":"q"}""", "'output' is missing or not a string")]
    [InlineData(TraceExportFormat.Alpaca, """{"instruction":"q",""", "not a JSON object")]
    public void A_malformed_line_is_refused_naming_file_line_and_field(TraceExportFormat format, string bad, string message)
    {
        var (path, _) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("bad.jsonl", Line(format) + bad + "\n");

        var e = Assert.Throws<InvalidDataException>(() => Import(input, format, path, _directory.File("out")));

        Assert.StartsWith($"{input}:2: ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Equal(["bad.jsonl", "vocab.gguf"], Directory.EnumerateFileSystemEntries(_directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Import_refuses_a_folder_that_already_holds_files_naming_the_property()
    {
        var (path, _) = ExportTestTraces.VocabularyGguf(_directory);
        string input = _directory.Write("sft.jsonl", Line(TraceExportFormat.ChatJsonl));
        _directory.Write("x.txt", "");

        var e = Assert.ThrowsAny<ArgumentException>(() => Import(input, TraceExportFormat.ChatJsonl, path, _directory.Path));

        Assert.Contains("OutputFolder", e.Message);
    }
}
