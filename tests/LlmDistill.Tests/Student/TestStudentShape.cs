using LlmDistill.Tests.Training;
using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Training;

namespace LlmDistill.Tests.Student;

/// <summary>
/// Runs alone: one test seeds torch's process-wide generator twice and compares the two students, which fails when a
/// parallel test (a trainer, the miniature demo) draws from the generator in between.
/// </summary>
[Collection(TorchRandomCollection.Name)]
public class TestStudentShape
{
    public TestStudentShape() => TorchRuntime.EnsureLoadable();

    [Theory]
    [InlineData("10m", 9_000_000, 11_000_000)]
    [InlineData("60m", 57_000_000, 66_000_000)]
    public void Presets_are_named_after_their_parameters_outside_the_embedding(string name, long low, long high)
    {
        var shape = StudentShape.Parse(name);
        Assert.InRange(shape.NonEmbeddingParameters, low, high);
        // The count agrees with the model the shape builds (minus the tied embedding).
        var config = shape.For(ModelArchitecture.Llama, vocabSize: 1000, ropeFreqBase: 10000, rmsNormEps: 1e-5f);
        long tensors = ModelTensors.For(config).Where(t => t.Name != ModelTensors.TokenEmbedding).Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(shape.NonEmbeddingParameters, tensors);
    }

    [Theory]
    [InlineData("qwen3-0.6b", ModelArchitecture.Qwen3, 440_000_000, 441_000_000, 128)]
    [InlineData("smollm2-135m", ModelArchitecture.Llama, 106_000_000, 106_500_000, 64)]
    [InlineData("llama3.2-1b", ModelArchitecture.Llama, 973_000_000, 973_500_000, 64)]
    [InlineData("gemma3-270m", ModelArchitecture.Gemma3, 100_000_000, 100_500_000, 256)]
    public void Model_presets_fix_their_family_and_have_the_real_models_parameter_count(string name, ModelArchitecture family, long low, long high, int headSize)
    {
        var shape = StudentShape.Parse(name);
        // A qwen2 teacher's family and RoPE base are overridden by the preset; the vocabulary size is the teacher's.
        var config = shape.For(ModelArchitecture.Qwen2, vocabSize: 1000, ropeFreqBase: 1234f, rmsNormEps: 1e-3f);
        Assert.Equal(family, config.Architecture);
        Assert.Equal(1000, config.VocabSize);
        Assert.Equal(headSize, config.HeadSize);
        Assert.NotEqual(1234f, config.RopeFreqBase);
        Assert.False(config.AttentionBias);
        Assert.True(config.TiedEmbeddings);
        Assert.InRange(shape.NonEmbeddingParameters, low, high);
        long tensors = ModelTensors.For(config).Where(t => t.Name != ModelTensors.TokenEmbedding).Sum(t => t.ElementCount);
        Assert.Equal(shape.NonEmbeddingParameters, tensors);
    }

    [Fact]
    public void The_gemma3_preset_has_gemma_3_270m_s_windows_and_rope_bases()
    {
        var config = StudentShape.Gemma3_270M.For(ModelArchitecture.Llama, 262_144, 10000f, 1e-5f);
        Assert.Equal(512, config.SlidingWindow);
        Assert.Equal([5, 11, 17], Enumerable.Range(0, config.BlockCount).Where(i => config.WindowOf(i) is null));
        Assert.Equal(1_000_000f, config.RopeFreqBaseOf(5));
        Assert.Equal(10_000f, config.RopeFreqBaseOf(0));
        Assert.Equal(1e-6f, config.RmsNormEps);
        Assert.Equal(1.0 / 16, config.AttentionScale); // 1/√256: query_pre_attn_scalar = head size
        Assert.Equal(MathF.Sqrt(640), config.EmbeddingScale);
    }

    [Fact]
    public void Llama_3_rope_scaling_keeps_short_wavelengths_and_stretches_long_ones_by_its_factor()
    {
        float[] factors = Llama3RopeScaling.Llama3_2.Factors(64, 500_000f);
        Assert.Equal(32, factors.Length);
        Assert.Equal(1f, factors[0]);    // wavelength 2π, far under 8192 / 4
        Assert.Equal(32f, factors[^1]);  // wavelength 2π · 5e5^(62/64), far over 8192
        Assert.True(factors.Zip(factors.Skip(1)).All(p => p.First <= p.Second));
        Assert.Contains(factors, f => f > 1f && f < 32f); // the blended band

        var shape = StudentShape.Llama3_2_1B with { EmbeddingLength = 64, BlockCount = 1, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 128 };
        using var folder = new TempDirectory();
        var vocabulary = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        string teacher = folder.File("teacher.gguf");
        ModelGgufWriter.Write(teacher, LlamaModelConfig.TinyQwen2(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 1), Gguf.GgmlType.F32, "teacher");
        using var model = StudentInitialization.Random(shape, teacher, seed: 2).Model;
        Assert.True(model.Config.RopeFreqFactors);
        Assert.Equal(Llama3RopeScaling.Llama3_2.Factors(16, 500_000f), model.GgufParameters()[ModelTensors.RopeFreqs].data<float>().ToArray());
        Assert.False(model.GgufParameters()[ModelTensors.RopeFreqs].requires_grad); // frozen: the file's, not trained
    }

    [Fact]
    public void A_random_student_from_a_model_preset_has_the_presets_family_and_the_teachers_vocabulary()
    {
        using var folder = new TempDirectory();
        var vocabulary = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        string teacher = folder.File("teacher.gguf");
        ModelGgufWriter.Write(teacher, LlamaModelConfig.TinyQwen2(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 1), Gguf.GgmlType.F32, "teacher");

        var student = StudentInitialization.Random(StudentShape.Gemma3_270M with { BlockCount = 1 }, teacher, seed: 4);
        using var model = student.Model;
        Assert.Equal(ModelArchitecture.Gemma3, model.Config.Architecture);
        Assert.Equal(vocabulary.Count, model.Config.VocabSize);
        Assert.Equal(vocabulary.Tokens, student.Vocabulary.Tokens);
        Assert.Equal(256, model.Config.HeadSize);
        Assert.Contains("gemma3", student.Origin);
    }

    [Fact]
    public void A_start_from_a_file_with_a_shape_checks_that_the_file_has_that_shape()
    {
        using var folder = new TempDirectory();
        var vocabulary = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        var config = LlamaModelConfig.TinyGemma3(vocabulary.Count);
        string path = folder.File("small-gemma3.gguf");
        ModelGgufWriter.Write(path, config, vocabulary, RandomLlamaWeights.Create(seed: 1), Gguf.GgmlType.F32, "small");

        var error = Assert.Throws<InvalidDataException>(() => StudentInitialization.FromGguf(path, StudentShape.Gemma3_270M, "gemma3-270m"));
        Assert.Equal($"{path} is not a gemma3-270m: it has embedding_length 64, not 640.", error.Message);
        var same = StudentShape.Gemma3_270M with { EmbeddingLength = 64, BlockCount = 7, HeadCount = 4, HeadCountKv = 2, HeadDim = 32, FeedForwardLength = 128, SlidingWindow = 8 };
        using var model = StudentInitialization.FromGguf(path, same, "shape").Model;
        Assert.Equal(config, model.Config);
        var otherFamily = same with { Architecture = ModelArchitecture.Qwen3 };
        Assert.Contains("architecture gemma3, not qwen3", Assert.Throws<InvalidDataException>(() => StudentInitialization.FromGguf(path, otherFamily, "shape")).Message);
    }

    [Fact]
    public void A_yaml_shape_file_gives_its_shape_and_unknown_keys_are_refused()
    {
        using var folder = new TempDirectory();
        string path = folder.Write("shape.yaml", "embedding_length: 128\nblock_count: 3\nhead_count: 4\nhead_count_kv: 2\nfeed_forward_length: 256\ncontext_length: 1024\ntied_embeddings: false\n");
        var shape = StudentShape.Parse(path);
        Assert.Equal(new StudentShape { EmbeddingLength = 128, BlockCount = 3, HeadCount = 4, HeadCountKv = 2, FeedForwardLength = 256, ContextLength = 1024, TiedEmbeddings = false }, shape);

        string typo = folder.Write("typo.yaml", "embedding_length: 128\nblocks: 3\nhead_count: 4\nfeed_forward_length: 256\n");
        Assert.Contains("blocks", Assert.Throws<InvalidDataException>(() => StudentShape.Parse(typo)).Message);
        string missing = folder.Write("missing.yaml", "embedding_length: 128\nhead_count: 4\nfeed_forward_length: 256\n");
        Assert.Contains("block_count", Assert.Throws<InvalidDataException>(() => StudentShape.Parse(missing)).Message);
        Assert.Throws<ArgumentException>(() => StudentShape.Parse("70b"));
    }

    [Fact]
    public void A_random_student_takes_the_teachers_family_vocabulary_and_rope_base()
    {
        using var folder = new TempDirectory();
        var vocabulary = LlmDistill.Tokenization.SmallByteLevelVocabulary.Create();
        string teacher = folder.File("teacher.gguf");
        ModelGgufWriter.Write(teacher, LlamaModelConfig.TinyQwen2(vocabulary.Count), vocabulary, RandomLlamaWeights.Create(seed: 1), Gguf.GgmlType.F32, "teacher");

        var student = StudentInitialization.Random(StudentShape.Tiny with { BlockCount = 1 }, teacher, seed: 4);
        using var model = student.Model;
        Assert.Equal(ModelArchitecture.Qwen2, model.Config.Architecture);
        Assert.True(model.Config.AttentionBias);
        Assert.Equal(vocabulary.Count, model.Config.VocabSize);
        Assert.Equal(1_000_000f, model.Config.RopeFreqBase);
        Assert.Equal(1, model.Config.BlockCount);
        Assert.Equal(vocabulary.Tokens, student.Vocabulary.Tokens);

        var again = StudentInitialization.Random(StudentShape.Tiny with { BlockCount = 1 }, teacher, seed: 4);
        using var twin = again.Model;
        Assert.Equal(TrainerRuns.Weights(model), TrainerRuns.Weights(twin)); // the seed decides the initialisation
    }

    [Theory]
    [InlineData(7_600_000_000L, 152_064, 24L << 30, "60m")]   // a 7B teacher on a 24 GiB machine
    [InlineData(7_600_000_000L, 152_064, 4L << 30, "10m")]    // the same teacher, 4 GiB: 60m's AdamW state does not fit in half
    [InlineData(500_000_000L, 151_936, 24L << 30, "10m")]     // a 0.5B teacher: 60m plus its embedding is over a fifth of it
    [InlineData(898_000L, 351, 24L << 30, "tiny")]            // the demo's teacher: only tiny is small enough
    public void The_default_shape_is_the_largest_preset_a_fifth_of_the_teacher_that_fits_in_half_the_memory(long teacherParameters, int vocabulary, long memory, string expected)
    {
        var (name, shape) = StudentShape.DefaultFor(teacherParameters, vocabulary, memory);
        Assert.Equal(expected, name);
        Assert.Same(StudentShape.Presets[expected], shape);
    }
}
