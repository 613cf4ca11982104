using LlmDistill.Generation.Prompts;
using LlmDistill.Gguf;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces.Export;

/// <summary>
/// A trace folder for export tests, written by the project's TraceWriter: 6 synthetic rows (k = 20, 5–40 tokens; the
/// second has keep = false) and 4 small ones (k = 2; q0 has keep = false, q2 failed with no tokens), in part files
/// of 4 rows and row groups of 3.
/// </summary>
static class ExportTestTraces
{
    public const string TemplateYaml = """
        name: export-test
        template_format: semantic-kernel
        system: |-
          You are a careful tutor. Think step by step.
        template: |-
          Question: {{$question}}
          Answer:
        """;

    /// <summary>Writes the folder; returns every row as the trace reader reads it back, in file order.</summary>
    public static List<TraceRecord> Write(string folder, TraceProvenance? provenance = null)
    {
        var synthetic = new SyntheticTraces(seed: 11, topK: 20);
        using (var writer = new TraceWriter(folder, provenance ?? TraceTestData.Provenance(), new TraceWriterOptions { PartRows = 4, RowGroupRows = 3 }))
        {
            for (int i = 0; i < 6; i++) writer.Write(synthetic.Row("math", "test", i, 0, minTokens: 5, maxTokens: 40) with { Keep = i != 1 });
            for (int i = 0; i < 4; i++) writer.Write(TraceTestData.Small(i, failed: i == 2));
        }
        return TraceReader.Read(folder).ToList();
    }

    /// <summary>The prompt template above, written to the folder, and the provenance of traces made with it.</summary>
    public static (PromptTemplate Template, string Path, TraceProvenance Provenance) Template(TempDirectory directory)
    {
        string path = directory.Write("export-test.yaml", TemplateYaml);
        var template = PromptTemplate.Load(path);
        return (template, path, TraceTestData.Provenance() with { PromptTemplateName = template.Name, PromptTemplateSha256 = template.Hash });
    }

    /// <summary>The rows an export with keep-only writes: kept and with a completion.</summary>
    public static List<TraceRecord> Exported(IEnumerable<TraceRecord> rows) => rows.Where(r => r.Keep && r.CompletionTokenCount > 0).ToList();

    /// <summary>A GGUF holding only <see cref="SmallByteLevelVocabulary"/> (what `traces import` reads for token ids).</summary>
    public static (string Path, TokenizerVocabulary Vocabulary) VocabularyGguf(TempDirectory directory)
    {
        var vocabulary = SmallByteLevelVocabulary.Create();
        var writer = new GgufWriter();
        writer.Metadata.SetString("general.architecture", "llama");
        TokenizerGgufMetadata.Write(vocabulary, writer.Metadata);
        string path = directory.File("vocab.gguf");
        writer.Write(path);
        return (path, vocabulary);
    }

    public static string[] Lines(string path) => File.ReadAllLines(path);
}
