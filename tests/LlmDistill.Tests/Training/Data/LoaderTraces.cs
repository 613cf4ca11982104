using System.Text;
using LlmDistill.Answers;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Tests.Traces;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Training.Data;

/// <summary>
/// Hand-built trace rows over <see cref="SmallByteLevelVocabulary"/> where every byte is one token (id = byte value),
/// so character offsets and token positions line up by eye. The teacher's top-1 at completion token j is the token
/// itself with log-probability −(j + 1)/100 and its top-2 is byte 0; the tail mass is (j + 1)/1000.
/// </summary>
static class LoaderTraces
{
    public static readonly TokenizerVocabulary Vocabulary = SmallByteLevelVocabulary.Create();
    public static readonly int EndOfText = Vocabulary.Special.Eos!.Value;

    public static int[] Bytes(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

    /// <summary>A row whose rationale and answer come from the real answer extractor; the completion ends with end of text.</summary>
    public static TraceRecord Row(string prompt, string completion, string exampleId = "q1", int sample = 0, bool keep = true,
        bool? correct = null, int topK = 2, bool endOfText = true)
    {
        int[] ids = [.. Bytes(completion), .. endOfText ? [EndOfText] : Array.Empty<int>()];
        int n = ids.Length;
        var extracted = AnswerExtractor.Default.Extract(completion);
        var topIds = new int[n * topK];
        var topLogprobs = new float[n * topK];
        for (int j = 0; j < n; j++)
            for (int s = 0; s < topK; s++)
            {
                topIds[j * topK + s] = s == 0 ? ids[j] : s - 1;
                topLogprobs[j * topK + s] = s == 0 ? -(j + 1) / 100f : -5f - s;
            }
        return new TraceRecord
        {
            Dataset = "toy", Split = "train", ExampleId = exampleId, SampleIndex = sample,
            Question = prompt, GoldAnswer = extracted.Answer, PromptText = prompt, PromptTokenIds = Bytes(prompt),
            CompletionText = completion, CompletionTokenIds = ids, Rationale = extracted.Rationale, Answer = extracted.Answer,
            FinishReason = FinishReason.EndOfGeneration, Correct = correct, Keep = keep,
            TopK = topK, SampledLogprobs = [.. Enumerable.Range(0, n).Select(j => -(j + 1) / 100f)], TopIds = topIds,
            TopLogprobs = topLogprobs, TailMass = [.. Enumerable.Range(0, n).Select(j => (j + 1) / 1000f)],
        };
    }

    /// <summary>A row of question <paramref name="example"/>, sample <paramref name="sample"/>, of a length that varies with both.</summary>
    public static TraceRecord Numbered(int example, int sample = 0, bool keep = true) =>
        Row($"Q{example}: add {example} and {sample}?", $"{example} plus {sample}{new string('.', (example * 7 + sample) % 13)}\n#### {example + sample}",
            exampleId: $"q{example}", sample: sample, keep: keep, correct: sample % 2 == 0);

    public static TraceProvenance Provenance(TokenizerVocabulary? vocabulary = null) =>
        TraceTestData.Provenance() with { TokenizerFingerprint = TokenizerFingerprint.Compute(vocabulary ?? Vocabulary) };

    /// <summary>Writes the rows into part files of <paramref name="partRows"/> rows.</summary>
    public static void Write(string folder, IEnumerable<TraceRecord> rows, int partRows = 1000, TraceProvenance? provenance = null)
    {
        using var writer = new TraceWriter(folder, provenance ?? Provenance(), new TraceWriterOptions { PartRows = partRows, RowGroupRows = 64 });
        foreach (var row in rows) writer.Write(row);
    }
}
