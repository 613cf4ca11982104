using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student;
using static TorchSharp.torch;

namespace LlmDistill.Tests.Student;

public class TestStudentModel
{
    const int Vocab = 269;

    public TestStudentModel() => TorchRuntime.EnsureLoadable();

    public static TheoryData<ModelArchitecture> Architectures => [ModelArchitecture.Llama, ModelArchitecture.Qwen2, ModelArchitecture.Qwen3, ModelArchitecture.Gemma3];

    static LlamaModelConfig Tiny(ModelArchitecture architecture) => architecture switch
    {
        ModelArchitecture.Llama => LlamaModelConfig.TinyLlama(Vocab),
        ModelArchitecture.Qwen2 => LlamaModelConfig.TinyQwen2(Vocab),
        ModelArchitecture.Qwen3 => LlamaModelConfig.TinyQwen3(Vocab),
        _ => LlamaModelConfig.TinyGemma3(Vocab),
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Parameters_are_exactly_the_GGUF_tensors_with_reversed_shapes(ModelArchitecture architecture)
    {
        var config = Tiny(architecture);
        using var model = new StudentModel(config);
        var parameters = model.GgufParameters();
        var tensors = ModelTensors.For(config);
        Assert.Equal(tensors.Select(t => t.Name).Order(), parameters.Keys.Order());
        foreach (var tensor in tensors)
            Assert.Equal(tensor.Shape, parameters[tensor.Name].shape.Reverse());
    }

    [Fact]
    public void Forward_maps_tokens_B_T_to_logits_B_T_V_and_hidden_states_project_to_the_same_logits()
    {
        using var model = new StudentModel(LlamaModelConfig.TinyQwen2(Vocab));
        using var _ = no_grad();
        var tokens = randint(0, Vocab, [2, 7], dtype: int64);
        var logits = model.call(tokens);
        var hidden = model.Hidden(tokens);
        Assert.Equal([2L, 7, Vocab], logits.shape);
        Assert.Equal([2L, 7, 64], hidden.shape);
        // Projecting positions in chunks, as a loss does, gives the same numbers.
        var chunked = cat([model.Logits(hidden[.., ..3]), model.Logits(hidden[.., 3..])], 1);
        Assert.True(chunked.allclose(logits, rtol: 0, atol: 1e-6));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void A_position_never_sees_later_tokens(ModelArchitecture architecture)
    {
        using var model = new StudentModel(Tiny(architecture), std: 0.2);
        using var _ = no_grad();
        var tokens = tensor(new long[] { 3, 14, 15, 92, 65, 35 }).unsqueeze(0);
        var changed = tokens.clone();
        changed[0, 4] = tensor(200L);
        var before = model.call(tokens);
        var after = model.call(changed);
        Assert.True(before[0, ..4].allclose(after[0, ..4], rtol: 0, atol: 0));
        Assert.False(before[0, 4].allclose(after[0, 4]));
    }

    [Fact]
    public void A_gemma3_local_block_sees_only_the_last_window_of_positions()
    {
        // One block (block 0 is local): a token changes the outputs of its own and the next window − 1 positions, no others.
        var config = LlamaModelConfig.TinyGemma3(Vocab) with { BlockCount = 1, SlidingWindow = 3 };
        using var model = new StudentModel(config, std: 0.2);
        using var _ = no_grad();
        var tokens = tensor(new long[] { 3, 14, 15, 92, 65, 35, 89, 79 }).unsqueeze(0);
        var changed = tokens.clone();
        changed[0, 2] = tensor(200L);
        var before = model.call(tokens);
        var after = model.call(changed);
        for (int position = 0; position < 8; position++)
        {
            bool sees = position >= 2 && position - 2 < 3;
            Assert.Equal(sees, !before[0, position].allclose(after[0, position], rtol: 0, atol: 0));
        }
        // Window 2: each local block carries a change one position on, so five local blocks carry token 0 to position 5
        // and no further; block 5 is global, so a sixth block carries it to position 15.
        var longer = arange(16L).unsqueeze(0) * 7 + 1;
        var longerChanged = longer.clone();
        longerChanged[0, 0] = tensor(200L);
        using var local = new StudentModel(config with { BlockCount = 5, SlidingWindow = 2 }, std: 0.2);
        Assert.True(local.call(longer)[0, 15].allclose(local.call(longerChanged)[0, 15], rtol: 0, atol: 0));
        Assert.False(local.call(longer)[0, 5].allclose(local.call(longerChanged)[0, 5], rtol: 0, atol: 0));
        using var global = new StudentModel(config with { BlockCount = 6, SlidingWindow = 2 }, std: 0.2);
        Assert.False(global.call(longer)[0, 15].allclose(global.call(longerChanged)[0, 15], rtol: 0, atol: 0));
    }

    [Fact]
    public void Tied_output_reuses_the_embedding_and_a_separate_output_is_its_own_parameter()
    {
        using var tied = new StudentModel(LlamaModelConfig.TinyQwen2(Vocab));
        using var separate = new StudentModel(LlamaModelConfig.TinyLlama(Vocab));
        Assert.DoesNotContain(ModelTensors.Output, tied.GgufParameters().Keys);
        Assert.Contains(ModelTensors.Output, separate.GgufParameters().Keys);
    }

    [Fact]
    public void Training_steps_reach_every_parameter_and_lower_the_loss()
    {
        random.manual_seed(5);
        using var model = new StudentModel(LlamaModelConfig.TinyQwen2(Vocab));
        var optimizer = optim.AdamW(model.parameters(), lr: 1e-2);
        var tokens = randint(0, Vocab, [2, 17], dtype: int64);
        var (inputs, targets) = (tokens[.., ..^1], tokens[.., 1..]); // (B, T) each
        float first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.call(inputs).flatten(0, 1), targets.flatten()); // (B·T, V) vs (B·T)
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.All(model.parameters(), p => Assert.True(p.grad is not null && p.grad.abs().sum().item<float>() > 0));
        Assert.True(last < first * 0.8f, $"loss went from {first} to {last}");
    }
}
