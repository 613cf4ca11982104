using LlmDistill.Teacher;
using LlmDistill.Traces;

namespace LlmDistill.Tests.Traces;

/// <summary>Small hand-made rows and provenance, and comparisons that allow for the documented quantisation.</summary>
static class TraceTestData
{
    public static TraceProvenance Provenance() => new()
    {
        TeacherFileName = "qwen3-8b-q4_k_m.gguf", TeacherFileSize = 5_027_783_488, TeacherSha256 = new string('a', 64),
        Architecture = "qwen3", Quantization = "Q4_K_M", TokenizerFingerprint = new string('b', 64),
        Temperature = 0.7f, TopP = 0.95f, TopKSampling = 40, MinP = 0.05f, Seed = 42, CaptureTopK = 20,
        ContextSize = 4096, MaxTokens = 1024, PromptTemplateName = "cot-v1", PromptTemplateSha256 = new string('c', 64),
        ToolVersion = "0.1.0-test",
    };

    /// <summary>A row with k = 2 and three tokens, or an empty failed one.</summary>
    public static TraceRecord Small(int example, int sample = 0, bool failed = false) => failed
        ? new TraceRecord
        {
            Dataset = "gsm8k", Split = "train", ExampleId = $"q{example}", SampleIndex = sample,
            Question = "Too long?", GoldAnswer = null, PromptText = "Q: Too long?\nA:", PromptTokenIds = [48, 25, 220],
            CompletionText = "", CompletionTokenIds = [], Rationale = "", Answer = null,
            FinishReason = FinishReason.Error, Error = "prompt exceeds the context",
            TopK = 2, SampledLogprobs = [], TopIds = [], TopLogprobs = [], TailMass = [],
        }
        : new TraceRecord
        {
            Dataset = "gsm8k", Split = "train", ExampleId = $"q{example}", SampleIndex = sample,
            Question = $"What is {example} + 1? ünïcødé ✓", GoldAnswer = $"{example + 1}",
            PromptText = $"Q: What is {example} + 1?\nA:", PromptTokenIds = [48, 25, 3555, 374, example],
            CompletionText = $"{example + 1}.", CompletionTokenIds = [17 + example, 13, 151_643],
            Rationale = "", Answer = $"{example + 1}", FinishReason = FinishReason.EndOfGeneration,
            Correct = example % 2 == 0, MajorityAnswer = example % 3 == 0 ? null : "7", AgreesWithMajority = example % 3 == 0 ? null : false,
            Keep = example % 5 != 0,
            TopK = 2,
            SampledLogprobs = [-0.01f, -2.5f, -1e-6f],
            TopIds = [17 + example, 18, 13, 11, 151_643, 151_645],
            TopLogprobs = [-0.01f, -4.75f, -0.2f, -2.5f, -1e-6f, -14.3f],
            TailMass = [0.0012f, 0.07f, 0f],
        };

    public static void AssertSame(TraceRecord expected, TraceRecord actual)
    {
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal((expected.Dataset, expected.Split, expected.ExampleId, expected.SampleIndex), (actual.Dataset, actual.Split, actual.ExampleId, actual.SampleIndex));
        Assert.Equal((expected.Question, expected.GoldAnswer, expected.PromptText), (actual.Question, actual.GoldAnswer, actual.PromptText));
        Assert.Equal((expected.CompletionText, expected.Rationale, expected.Answer), (actual.CompletionText, actual.Rationale, actual.Answer));
        Assert.Equal((expected.FinishReason, expected.Error, expected.Correct), (actual.FinishReason, actual.Error, actual.Correct));
        Assert.Equal((expected.MajorityAnswer, expected.AgreesWithMajority, expected.Keep, expected.TopK), (actual.MajorityAnswer, actual.AgreesWithMajority, actual.Keep, actual.TopK));
        Assert.Equal(expected.PromptTokenIds, actual.PromptTokenIds);
        Assert.Equal(expected.CompletionTokenIds, actual.CompletionTokenIds);
        Assert.Equal(expected.TopIds, actual.TopIds);
        AssertLogprobs(expected.SampledLogprobs, actual.SampledLogprobs);
        AssertLogprobs(expected.TopLogprobs, actual.TopLogprobs);
        AssertTailMass(expected.TailMass, actual.TailMass);
    }

    /// <summary>Tail mass within the relative error of its log code (e^(1/128) − 1 ≈ 0.79 %).</summary>
    public static void AssertTailMass(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double relative = Math.Exp(TopKEncoding.MaxLogprobError) - 1;
        for (int i = 0; i < expected.Length; i++)
            Assert.InRange(Math.Abs(actual[i] - (double)expected[i]), 0, expected[i] * relative + 1e-7);
    }

    public static void AssertLogprobs(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.InRange(actual[i] - (double)expected[i], -TopKEncoding.MaxLogprobError, TopKEncoding.MaxLogprobError);
    }
}
