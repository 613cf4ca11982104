using LlmDistill.Models;
using LlmDistill.Runtime;
using LlmDistill.Student.Lora;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmDistill.Student;

/// <summary>
/// The student: a Llama-family decoder (token embedding, <see cref="LlamaModelConfig.BlockCount"/> pre-norm blocks,
/// final RMSNorm, output projection tied to the embedding or separate) that computes what llama.cpp computes for the
/// GGUF <see cref="StudentGguf.Export"/> writes from it. Parameters are float32; field names follow GGUF tensor names
/// (<see cref="StudentTensorNames"/>), so import and export are one loop over <see cref="ModelTensors.For"/>.
/// </summary>
public sealed class StudentModel : nn.Module<Tensor, Tensor>
{
    readonly Embedding token_embd;
    readonly ModuleList<Block> blk;
    readonly RmsNorm output_norm;
    readonly Linear? output;
    readonly RopeFactors? rope_freqs; // Llama 3: frozen per-frequency divisors

    static StudentModel() => TorchRuntime.EnsureLoadable();

    /// <summary>A freshly initialised student: matrices ~ N(0, <paramref name="std"/>²), biases 0, norm weights 1.</summary>
    public StudentModel(LlamaModelConfig config, double std = 0.02) : base(nameof(StudentModel))
    {
        Config = config.Validate();
        token_embd = nn.Embedding(config.VocabSize, config.EmbeddingLength);
        blk = nn.ModuleList(Enumerable.Range(0, config.BlockCount).Select(i => new Block(config, i)).ToArray());
        output_norm = new RmsNorm(config.EmbeddingLength, config.RmsNormEps);
        output = config.TiedEmbeddings ? null : nn.Linear(config.EmbeddingLength, config.VocabSize, hasBias: false);
        rope_freqs = config.RopeFreqFactors ? new RopeFactors(config.HeadSize / 2) : null;
        RegisterComponents();
        Initialize(std);
    }

    public LlamaModelConfig Config { get; }

    /// <summary>The adapters and frozen base when this student trains low-rank adapters (<see cref="AttachLora"/>); null when every weight trains.</summary>
    public LoraBase? Lora { get; private set; }

    /// <summary>Next-token logits (B, T, V) for token ids (B, T) int64.</summary>
    public override Tensor forward(Tensor tokens) => Logits(Hidden(tokens));

    /// <summary>Final-normed hidden states (B, T, C), so a loss can project them to the vocabulary in chunks.</summary>
    public Tensor Hidden(Tensor tokens) // tokens (B, T)
    {
        var angles = new RopeAngles(this, tokens);
        var x = Embed(tokens); // (B, T, C)
        for (int i = 0; i < blk.Count; i++)
        {
            var (cos, sin) = angles.Of(i);
            x = blk[i].call(x, cos, sin);
        }
        return output_norm.call(x); // (B, T, C)
    }

    /// <summary>
    /// Forward and backward with activation checkpointing: the forward runs without a graph and keeps only each block's
    /// input (B, T, C); <paramref name="lossOf"/> gets the final-normed hidden states with a graph from there on and
    /// <paramref name="lossTensor"/> picks the tensor to differentiate; then each block, last to first, is run again
    /// from its saved input with a graph and backpropagated at once. Activation memory is one block's instead of all
    /// of them, for one more forward pass of the blocks. Gradients accumulate into the parameters as
    /// <c>lossTensor(lossOf(Hidden(tokens))).backward()</c> would put them (equal up to float summation order), and the
    /// random generator is rewound for each block's second pass (dropout draws the same masks twice) and left where
    /// the plain forward leaves it, so training stays reproducible and resumable.
    /// </summary>
    internal TResult BackwardWithRecomputation<TResult>(Tensor tokens, Func<Tensor, TResult> lossOf, Func<TResult, Tensor> lossTensor)
    {
        var angles = new RopeAngles(this, tokens);
        var inputs = new Tensor[blk.Count];
        var generatorStates = new Tensor[blk.Count];
        Tensor top;
        using (no_grad())
        {
            var x = Embed(tokens);
            for (int i = 0; i < blk.Count; i++)
            {
                var (cos, sin) = angles.Of(i);
                (inputs[i], generatorStates[i]) = (x, random.get_rng_state());
                using var blockScope = NewDisposeScope();
                x = blk[i].call(x, cos, sin).MoveToOuterDisposeScope();
            }
            top = x.detach().requires_grad_(true); // (B, T, C): the graph starts here
        }
        var afterForward = random.get_rng_state();
        var result = lossOf(output_norm.call(top));
        lossTensor(result).backward();
        var gradient = top.grad!; // ∂L/∂(output of the last block), (B, T, C)
        bool embeddingTrains = token_embd.weight!.requires_grad;
        for (int i = blk.Count - 1; i >= 0; i--)
        {
            using var blockScope = NewDisposeScope();
            var (cos, sin) = angles.Of(i);
            bool inputGradient = i > 0 || embeddingTrains; // the first block's input gradient only feeds the embedding
            var input = inputs[i].detach().requires_grad_(inputGradient);
            random.set_rng_state(generatorStates[i]);
            blk[i].call(input, cos, sin).backward([gradient]);
            gradient = inputGradient ? input.grad!.MoveToOuterDisposeScope() : gradient;
        }
        random.set_rng_state(afterForward);
        if (embeddingTrains) Embed(tokens).backward([gradient]);
        return result;
    }

    /// <summary>Token embeddings (B, T, C), scaled where the family scales them (Gemma: √C).</summary>
    Tensor Embed(Tensor tokens)
    {
        var x = token_embd.call(tokens);
        return Config.EmbeddingScale != 1f ? x * Config.EmbeddingScale : x;
    }

    /// <summary>One (cos, sin) pair of (T, D/2) per RoPE base in use, made on first use: Gemma3's local blocks turn with another base.</summary>
    sealed class RopeAngles(StudentModel model, Tensor tokens)
    {
        readonly Dictionary<float, (Tensor Cos, Tensor Sin)> _byBase = [];

        public (Tensor Cos, Tensor Sin) Of(int block)
        {
            float freqBase = model.Config.RopeFreqBaseOf(block);
            if (!_byBase.TryGetValue(freqBase, out var rope))
                _byBase[freqBase] = rope = Rope.Angles(model.Config.HeadSize, freqBase, tokens.shape[1], tokens.device, model.rope_freqs?.Weight);
            return rope;
        }
    }

    /// <summary>Projects hidden states (…, C) to logits (…, V) with <c>output.weight</c> or, when tied, <c>token_embd.weight</c>.</summary>
    public Tensor Logits(Tensor hidden) =>
        output is null ? nn.functional.linear(hidden, token_embd.weight!) : output.call(hidden); // (…, V)

    /// <summary>Sets the RoPE frequency divisors (head size / 2 values) of a model with <see cref="LlamaModelConfig.RopeFreqFactors"/>.</summary>
    internal void SetRopeFactors(float[] factors)
    {
        if (rope_freqs is null) throw new InvalidOperationException("This student has no RoPE frequency factors.");
        using var _ = no_grad();
        using var values = tensor(factors);
        rope_freqs.Weight.copy_(values);
    }

    /// <summary>For parity checks: GELU rounded through F16 as llama.cpp's CPU backend computes it (<see cref="Mlp.GeluRoundedLikeGgmlCpu"/>).</summary>
    internal void RoundGeluLikeGgmlCpu()
    {
        foreach (var module in modules())
            if (module is Mlp mlp) mlp.GeluRoundedLikeGgmlCpu = true;
    }

    /// <summary>Every model parameter under its GGUF tensor name (adapters excluded: see <see cref="LoraParameters"/>).</summary>
    public IReadOnlyDictionary<string, Parameter> GgufParameters() =>
        named_parameters().Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal))
            .ToDictionary(p => StudentTensorNames.ToGguf(p.name), p => p.parameter);

    /// <summary>
    /// Freezes every weight and adds adapters (A random, B = 0, so the output is unchanged) to the projections
    /// <paramref name="lora"/> names; afterwards only the adapters have requires_grad. A rank above a projection's
    /// smaller dimension is refused by name.
    /// </summary>
    public void AttachLora(LoraBase lora)
    {
        if (Lora is not null) throw new InvalidOperationException("This student already carries adapters.");
        int rank = lora.Options.Rank;
        var targets = Projections().Where(p => lora.Options.TargetList.Contains(p.Target)).ToArray();
        if (targets.FirstOrDefault(p => rank > Math.Min(p.Projection.InFeatures, p.Projection.OutFeatures)) is { Name: not null } tooSmall)
            throw new ArgumentException($"LoRA rank {rank} exceeds the dimensions of {tooSmall.Name} ({tooSmall.Projection.OutFeatures} × {tooSmall.Projection.InFeatures}); choose a rank of at most {Math.Min(tooSmall.Projection.InFeatures, tooSmall.Projection.OutFeatures)}.");
        if (lora.Options.BaseType == LoraBaseType.BF16)
            foreach (var (_, _, projection) in Projections()) projection.StoreAs(ScalarType.BFloat16);
        foreach (var parameter in parameters()) parameter.requires_grad_(false);
        foreach (var (_, _, projection) in targets) projection.AttachLora(rank, lora.Options.EffectiveAlpha, lora.Options.Dropout);
        Lora = lora;
    }

    /// <summary>The adapter matrices under llama.cpp's adapter tensor names (<c>blk.0.attn_q.weight.lora_a</c> (r, in), <c>….lora_b</c> (out, r)).</summary>
    public IReadOnlyDictionary<string, Parameter> LoraParameters()
    {
        var result = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (var (name, _, projection) in Projections())
        {
            if (projection.LoraA is not { } a || projection.LoraB is not { } b) continue;
            result[name + ".lora_a"] = a;
            result[name + ".lora_b"] = b;
        }
        return result;
    }

    /// <summary>Every block projection: its GGUF weight name (<c>blk.0.attn_q.weight</c>), its target name (<c>attn_q</c>) and the module.</summary>
    internal IEnumerable<(string Name, string Target, Projection Projection)> Projections()
    {
        foreach (var (name, module) in named_modules())
        {
            if (module is not Projection projection) continue;
            string gguf = StudentTensorNames.ToGguf(name + ".weight"); // blk.N.attn_q.weight
            int blockEnd = gguf.IndexOf('.', "blk.".Length);
            yield return (gguf, gguf[(blockEnd + 1)..^".weight".Length], projection);
        }
    }

    void Initialize(double std)
    {
        using var _ = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith(".bias", StringComparison.Ordinal)) parameter.zero_();
            else if (parameter.dim() == 2) parameter.normal_(0, std);
        }
    }
}
