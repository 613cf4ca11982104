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
        var provenance = TraceProvenance.Gold("gold:" + Path.GetFileName(dataPath), new FileInfo(dataPath).Length, sha256: "", vocabulary,
            template.Name, template.Hash, toolVersion: "gold");
        using (var writer = new TraceWriter(folder, provenance, new TraceWriterOptions { Shard = form == Form.AnswerOnly ? "answers" : "gold" }))
        {
            foreach (var row in dataset)
            {
                if (row.GoldAnswer is null) continue;
                var rendered = template.Render(row.Question);
                string promptText = rendered.System is null ? rendered.User : rendered.System + "\n\n" + rendered.User;
                string rationale = form == Form.AnswerOnly ? "" : (row.GoldRationale ?? "").Trim();
                string completion = " " + (rationale.Length > 0 ? rationale + "\n" : "") + "#### " + row.GoldAnswer;
                writer.Write(TraceRecord.Gold(dataset.Name, dataset.Split, row.Id, row.Question, promptText, completion, rationale, tokenizer, eos) with
                {
                    GoldAnswer = row.GoldAnswer, Answer = row.GoldAnswer, Correct = true, MajorityAnswer = row.GoldAnswer, AgreesWithMajority = true,
                });
            }
        }
        return TraceFileStats.Measure(folder);
    }
}
