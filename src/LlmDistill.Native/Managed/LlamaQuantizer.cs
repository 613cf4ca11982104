using LLama.Native;

namespace LlmDistill.Native;

/// <summary>llama_model_quantize: rewrites a GGUF model with its matrices in another type (Q8_0, Q4_K_M, ...).</summary>
public static class LlamaQuantizer
{
    /// <summary>
    /// Quantizes <paramref name="input"/> into <paramref name="output"/> (written to a temporary name, renamed when
    /// complete). threads ≤ 0: one per core.
    /// </summary>
    public static void Quantize(string input, string output, LlamaFtype type, int threads = 0)
    {
        LlamaBackend.EnsureInitialized();
        if (!File.Exists(input)) throw new FileNotFoundException($"model to quantize not found: {input}", input);
        LLamaModelQuantizeParams parameters = LLamaModelQuantizeParams.Default();
        parameters.ftype = (LLamaFtype)(int)type;
        parameters.nthread = threads;
        string temp = $"{output}.tmp-{Environment.ProcessId}";
        long mark = LlamaLog.ErrorMark;
        uint rc = NativeApi.llama_model_quantize(input, temp, ref parameters);
        if (rc != 0)
        {
            File.Delete(temp);
            throw new LlamaException(LlamaErrors.WithLog($"llama_model_quantize({input} → {type}) returned {rc}", mark), (int)rc);
        }
        File.Move(temp, output, overwrite: true);
    }
}
