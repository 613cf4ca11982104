using LlmDistill.Models;
using LlmDistill.Runtime;
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

    /// <summary>Next-token logits (B, T, V) for token ids (B, T) int64.</summary>
    public override Tensor forward(Tensor tokens) => Logits(Hidden(tokens));

    /// <summary>Final-normed hidden states (B, T, C), so a loss can project them to the vocabulary in chunks.</summary>
    public Tensor Hidden(Tensor tokens) // tokens (B, T)
    {
        // One (cos, sin) pair of (T, D/2) per RoPE base in use: Gemma3's local blocks turn with another base.
        var angles = new Dictionary<float, (Tensor Cos, Tensor Sin)>();
        var x = token_embd.call(tokens); // (B, T, C)
        if (Config.EmbeddingScale != 1f) x = x * Config.EmbeddingScale;
        for (int i = 0; i < blk.Count; i++)
        {
            float freqBase = Config.RopeFreqBaseOf(i);
            if (!angles.TryGetValue(freqBase, out var rope))
                angles[freqBase] = rope = Rope.Angles(Config.HeadSize, freqBase, tokens.shape[1], tokens.device, rope_freqs?.Weight);
            x = blk[i].call(x, rope.Cos, rope.Sin);
        }
        return output_norm.call(x); // (B, T, C)
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

    /// <summary>Every parameter under its GGUF tensor name.</summary>
    public IReadOnlyDictionary<string, Parameter> GgufParameters() =>
        named_parameters().ToDictionary(p => StudentTensorNames.ToGguf(p.name), p => p.parameter);

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
