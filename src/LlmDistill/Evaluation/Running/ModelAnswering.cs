using LlmDistill.Evaluation.Running;
using LlmDistill.Evaluation.Statistics;
using LlmDistill.Evaluation.Reports;
using LlmDistill.Generation;
using LlmDistill.Answers;
using LlmDistill.Generation.Datasets;
using LlmDistill.Generation.Prompts;
using LlmDistill.Teacher;

namespace LlmDistill.Evaluation.Running;

/// <summary>A model's answers to the questions, how long the batched run took, and its greedy prompt and answer tokens.</summary>
internal sealed record ModelAnswers(IReadOnlyList<Prediction> Predictions, GenerationStats Stats, IReadOnlyList<(int[] Prompt, int[] Completion)> GreedyTokens);

/// <summary>
/// One model answers every question through the generate stage's own pieces: the prompt template and the model's chat
/// template (<see cref="TeacherPrompts"/>), the continuous-batching generator, and the default answer extractor.
/// Sample 0 is greedy; samples 1..N are drawn at the settings' temperature. A given engine (a remote teacher) answers
/// instead of the local generator; the model then serves only as tokenizer and chat template.
/// </summary>
internal static class ModelAnswering
{
    public static ModelAnswers Answer(GgufModel model, string name, IReadOnlyList<DatasetRow> questions, PromptTemplate template,
        EvalSettings settings, IProgress<long>? questionsDone = null, CancellationToken cancel = default, ICompletionEngine? engine = null)
    {
        var prompts = new TeacherPrompts(model, template, settings.Prompt.Raw);
        int perQuestion = 1 + settings.TemperatureSamples;
        var sampled = settings.Sampling.For(settings.Samples);
        var promptTokens = new int[questions.Count][];
        var completions = new Completion?[questions.Count, perQuestion];

        IEnumerable<GenerationRequest> Requests()
        {
            for (int q = 0; q < questions.Count; q++)
            {
                promptTokens[q] = prompts.Build(questions[q].Question).Tokens;
                for (int s = 0; s < perQuestion; s++)
                    yield return new GenerationRequest((long)q * perQuestion + s, promptTokens[q], s == 0 ? SamplingSettings.Greedy : sampled, settings.Sampling.MaxTokens, template.StopStrings);
            }
        }

        using var local = engine is null ? new BatchedGenerator(model, settings.Engine.Generator(captureTopK: 0) with { CaptureDistribution = false }) : null;
        ICompletionEngine generator = engine ?? local!;
        var remaining = new int[questions.Count];
        Array.Fill(remaining, perQuestion);
        long finished = 0;
        foreach (var completion in generator.Generate(Requests(), cancel, prompts.SharedPrefix()))
        {
            int q = (int)(completion.Index / perQuestion);
            completions[q, completion.Index % perQuestion] = completion;
            if (--remaining[q] == 0) questionsDone?.Report(++finished);
        }
        cancel.ThrowIfCancellationRequested();

        var predictions = new List<Prediction>(questions.Count * perQuestion);
        for (int q = 0; q < questions.Count; q++)
            for (int s = 0; s < perQuestion; s++)
                predictions.Add(ToPrediction(name, questions[q], s, completions[q, s]!));
        var greedyTokens = Enumerable.Range(0, questions.Count).Select(q => (promptTokens[q], completions[q, 0]!.TokenIds)).ToArray();
        return new ModelAnswers(predictions, generator.LastStats!, greedyTokens);
    }

    static Prediction ToPrediction(string model, DatasetRow question, int sample, Completion completion)
    {
        var extracted = AnswerExtractor.Default.Extract(completion.Text);
        return new Prediction
        {
            Model = model, QuestionId = question.Id, Question = question.Question, GoldAnswer = question.GoldAnswer, Sample = sample,
            Answer = extracted.Answer, Correct = question.GoldAnswer is null ? null : AnswerComparer.Equivalent(extracted.Answer, question.GoldAnswer),
            Rationale = extracted.Rationale, CompletionText = completion.Text, CompletionTokens = completion.TokenIds.Length,
            FinishReason = completion.FinishReason.ToName(),
        };
    }
}
