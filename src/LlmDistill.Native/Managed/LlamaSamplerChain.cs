namespace LlmDistill.Native;

/// <summary>A llama.cpp sampler chain; add samplers in order, ending with a selecting one (greedy or dist).</summary>
public sealed class LlamaSamplerChain : IDisposable
{
    public LlamaSamplerChain(bool measurePerf = false)
    {
        LlamaBackend.EnsureInitialized();
        LlamaSamplerChainParams p = LlamaNative.llama_sampler_chain_default_params();
        p.no_perf = !measurePerf;
        Handle = LlamaNative.llama_sampler_chain_init(p);
        if (Handle.IsInvalid)
            throw new LlamaException("llama_sampler_chain_init failed.");
    }

    public SafeLlamaSamplerHandle Handle { get; }
    public int Count => LlamaNative.llama_sampler_chain_n(Handle);

    public LlamaSamplerChain AddGreedy() => Add(LlamaNative.llama_sampler_init_greedy(), "greedy");
    /// <summary>Samples from the distribution; seed 0xFFFFFFFF = random.</summary>
    public LlamaSamplerChain AddDistribution(uint seed) => Add(LlamaNative.llama_sampler_init_dist(seed), "dist");
    public LlamaSamplerChain AddTopK(int k) => Add(LlamaNative.llama_sampler_init_top_k(k), "top_k");
    public LlamaSamplerChain AddTopP(float p, int minKeep = 1) => Add(LlamaNative.llama_sampler_init_top_p(p, (nuint)minKeep), "top_p");
    public LlamaSamplerChain AddMinP(float p, int minKeep = 1) => Add(LlamaNative.llama_sampler_init_min_p(p, (nuint)minKeep), "min_p");
    public LlamaSamplerChain AddTemperature(float t) => Add(LlamaNative.llama_sampler_init_temp(t), "temp");

    /// <summary>Samples from output idx of the context's last decode (-1 = last) and accepts the token.</summary>
    public int Sample(LlamaContext context, int idx = -1) => LlamaNative.llama_sampler_sample(Handle, context.Handle, idx);

    public void Accept(int token) => LlamaNative.llama_sampler_accept(Handle, token);
    public void Reset() => LlamaNative.llama_sampler_reset(Handle);

    private LlamaSamplerChain Add(IntPtr sampler, string name)
    {
        if (sampler == IntPtr.Zero)
            throw new LlamaException($"llama_sampler_init_{name} returned NULL.");
        LlamaNative.llama_sampler_chain_add(Handle, sampler); // the chain owns it from here
        return this;
    }

    public void Dispose() => Handle.Dispose();
}
