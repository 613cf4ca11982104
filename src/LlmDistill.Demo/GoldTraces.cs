using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;
using LlmDistill.Tokenization;
using LlmDistill.Traces;

namespace LlmDistill.Demo;

/// <summary>
/// Writes a data set's gold rationales as a trace folder without teacher distributions (k = 0), so the ordinary
/// training path (loader, trainer, α = 0: likelihood only) can train the demo teacher, or an answer-only baseline
/// (<see cref="Form.AnswerOnly"/>), from the same files and code as every distilled student.
/// The prompt text is the template rendered raw, tokenized by the vocabulary's ML.Tokenizers rebuild, which gives
/// llama.cpp's ids (tested), so the teacher later sees exactly these tokens through llama.cpp.
/// </summary>
internal static class GoldTraces
{
    public enum Form { RationaleAndAnswer, AnswerOnly }

    public static TraceFileStats Write(string dataPath, PromptTemplate template, TokenizerVocabulary vocabulary, string folder, Form form)
    {
        var tokenizer = VocabularyTokenizer.Create(vocabulary);
        int eos = vocabulary.Special.Eos ?? throw new InvalidDataException("the vocabulary has no end-of-text token to close completions with");
        var dataset = DatasetReader.Open(dataPath);
        var provenance = new TraceProvenance
        {
            TeacherFileName = "gold:" + Path.GetFileName(dataPath), TeacherFileSize = new FileInfo(dataPath).Length, TeacherSha256 = "",
            Architecture = "none", Quantization = "none", TokenizerFingerprint = TokenizerFingerprint.Compute(vocabulary),
            Temperature = 0, TopP = 1, TopKSampling = 0, Seed = 0, CaptureTopK = 0, ContextSize = 0, MaxTokens = 0,
            PromptTemplateName = template.Name, PromptTemplateSha256 = template.Hash, ToolVersion = "gold",
        };
        using (var writer = new TraceWriter(folder, provenance, new TraceWriterOptions { Shard = form == Form.AnswerOnly ? "answers" : "gold" }))
        {
            foreach (var row in dataset)
            {
                if (row.GoldAnswer is null) continue;
                var rendered = template.Render(row.Question);
                string promptText = rendered.System is null ? rendered.User : rendered.System + "\n\n" + rendered.User;
                string rationale = form == Form.AnswerOnly ? "" : (row.GoldRationale ?? "").Trim();
                string completion = " " + (rationale.Length > 0 ? rationale + "\n" : "") + "#### " + row.GoldAnswer;
                int[] completionIds = [.. tokenizer.Encode(completion, addSpecial: false), eos];
                writer.Write(new TraceRecord
                {
                    Dataset = dataset.Name, Split = dataset.Split, ExampleId = row.Id, SampleIndex = 0, Question = row.Question,
                    GoldAnswer = row.GoldAnswer, PromptText = promptText, PromptTokenIds = tokenizer.Encode(promptText, addSpecial: true),
                    CompletionText = completion, CompletionTokenIds = completionIds, Rationale = rationale, Answer = row.GoldAnswer,
                    FinishReason = FinishReason.EndOfGeneration, Correct = true, MajorityAnswer = row.GoldAnswer, AgreesWithMajority = true,
                    Keep = true, TopK = 0, SampledLogprobs = new float[completionIds.Length], TopIds = [], TopLogprobs = [],
                    TailMass = new float[completionIds.Length],
                });
            }
        }
        return TraceFileStats.Measure(folder);
    }
}
