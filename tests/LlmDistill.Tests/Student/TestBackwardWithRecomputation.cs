using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using LlmDistill.Student.Lora;
using LlmDistill.Tests.Fixtures;
using LlmDistill.Tests.Student.Lora;
using LlmDistill.Tests.Training;
using LlmDistill.Training;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

/// <summary>
/// Activation checkpointing (<see cref="StudentModel.BackwardWithRecomputation{TResult}"/>) must put the same gradients
/// into the parameters as the plain backward, for every family and for adapters with dropout.
/// </summary>
[Collection(TorchRandomCollection.Name)] // seeds and draws torch's one global generator
public class TestBackwardWithRecomputation
{
    public TestBackwardWithRecomputation() => TorchRuntime.EnsureLoadable();

    /// <summary>Next-token cross-entropy through the model's own output projection (tied embeddings get both gradients).</summary>
    static Func<Tensor, Tensor> CrossEntropy(StudentModel model, Tensor targets) =>
        hidden => nn.functional.cross_entropy(model.Logits(hidden).reshape(-1, model.Config.VocabSize), targets.reshape(-1));

    /// <summary>Every trainable parameter's gradient after one backward, by name; the gradients are then cleared.</summary>
    static Dictionary<string, float[]> Gradients(StudentModel model)
    {
        var gradients = model.named_parameters().Where(p => p.parameter.requires_grad)
            .ToDictionary(p => p.name, p => p.parameter.grad?.detach().clone().data<float>().ToArray() ?? []);
        model.zero_grad();
        return gradients;
    }

    static void AssertClose(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
        {
            Assert.True(values.Length > 0, $"{name} got no gradient in the plain backward");
            Assert.Equal(values.Length, actual[name].Length);
            double scale = values.Max(v => Math.Abs(v)) + 1e-12;
            double difference = values.Zip(actual[name], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(difference <= 1e-5 * scale, $"{name}: gradients differ by {difference:G3} (largest {scale:G3})");
        }
    }

    [Theory]
    [MemberData(nameof(TestStudentParity.Architectures), MemberType = typeof(TestStudentParity))]
    public void Recomputed_blocks_give_the_plain_backwards_gradients(ModelArchitecture architecture)
    {
        random.manual_seed(5);
        using var model = new StudentModel(TestStudentParity.Tiny(architecture, 50), std: 0.1);
        using var scope = NewDisposeScope();
        var tokens = randint(0, 50, [2, 24]);
        var targets = randint(0, 50, [2, 24]);
        var lossOf = CrossEntropy(model, targets);

        var plain = lossOf(model.Hidden(tokens));
        plain.backward();
        var expected = Gradients(model);

        var recomputed = model.BackwardWithRecomputation(tokens, lossOf, loss => loss);
        Assert.Equal(plain.item<float>(), recomputed.item<float>(), 6);
        AssertClose(expected, Gradients(model));
    }

    [Fact]
    public void Adapters_with_dropout_see_the_same_masks_twice_and_the_generator_ends_where_the_plain_pass_leaves_it()
    {
        string folder = Directory.CreateTempSubdirectory("llmdistill-recompute-").FullName;
        try
        {
            string basePath = LoraStudents.WriteBase(Path.Combine(folder, "base.gguf"), ModelArchitecture.Qwen3);
            using var model = LoraStudents.WithAdapters(basePath, LoraStudents.Options() with { Dropout = 0.3 });
            LoraStudents.Perturb(model);
            model.train();
            using var scope = NewDisposeScope();
            int vocabulary = model.Config.VocabSize;
            var tokens = randint(0, vocabulary, [2, 16]);
            var targets = randint(0, vocabulary, [2, 16]);
            var lossOf = CrossEntropy(model, targets);

            random.manual_seed(11);
            lossOf(model.Hidden(tokens)).backward();
            var expected = Gradients(model);
            var afterPlain = random.get_rng_state().data<byte>().ToArray();

            random.manual_seed(11);
            model.BackwardWithRecomputation(tokens, lossOf, loss => loss);
            var actual = Gradients(model);
            Assert.Equal(afterPlain, random.get_rng_state().data<byte>().ToArray());
            Assert.All(expected.Keys, name => Assert.Contains("lora", name)); // only the adapters train
            AssertClose(expected, actual);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_trainer_with_gradient_checkpointing_follows_the_plain_trainers_weights()
    {
        string plainFolder = Directory.CreateTempSubdirectory("llmdistill-recompute-plain-").FullName;
        string checkpointedFolder = Directory.CreateTempSubdirectory("llmdistill-recompute-on-").FullName;
        try
        {
            var options = TrainerRuns.Options(steps: 6);
            Dictionary<string, float[]> Final(string folder, bool checkpointing)
            {
                using var trainer = Trainer.Start(TrainerRuns.Student(), TrainerRuns.Vocabulary, new SyntheticTraces(), options with { GradientCheckpointing = checkpointing }, folder);
                trainer.Run();
                return TrainerRuns.Weights(trainer.Model);
            }
            var plain = Final(plainFolder, checkpointing: false);
            var checkpointed = Final(checkpointedFolder, checkpointing: true);
            foreach (var (name, values) in plain)
            {
                double difference = values.Zip(checkpointed[name], (a, b) => Math.Abs(a - b)).Max();
                Assert.True(difference <= 1e-4, $"{name} differs by {difference:G3} after 6 steps");
            }
            using var initialModel = TrainerRuns.Student();
            var initial = TrainerRuns.Weights(initialModel);
            Assert.Contains(plain, p => !p.Value.SequenceEqual(initial[p.Key])); // it trained
        }
        finally
        {
            Directory.Delete(plainFolder, recursive: true);
            Directory.Delete(checkpointedFolder, recursive: true);
        }
    }
}
