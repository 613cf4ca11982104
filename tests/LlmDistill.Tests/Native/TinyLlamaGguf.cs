using LlmDistill.Gguf;

namespace LlmDistill.Tests.Native;

/// <summary>
/// Writes a tiny GGUF (v3; vocab-only, or with one block of random weights): llama architecture hyper-parameters plus a SentencePiece
/// ("llama") vocabulary of &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, 256 byte-fallback tokens and a few word pieces.
/// Loadable with LlamaModelOptions.VocabOnly = true. Written with the project's GgufWriter, just for the binding's tests.
/// </summary>
internal static class TinyLlamaGguf
{
    public const int Unk = 0, Bos = 1, Eos = 2, FirstByte = 3;

    /// <summary>Word pieces after the byte tokens (ids 259...).</summary>
    public static readonly string[] Pieces =
        ["▁", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "▁h", "▁he", "▁hello", "▁w", "or", "▁wor", "ld", "▁world"];

    public const string ChatTemplate = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}";

    public static int ByteToken(byte b) => FirstByte + b;

    public const int NEmbd = 64, NFf = 128, NHead = 4;

    /// <summary>withWeights: also add one llama block of small deterministic random F32 weights (decodable).</summary>
    public static void Write(string path, bool withWeights = false)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };          // UNKNOWN, CONTROL, CONTROL
        var scores = new List<float> { 0, 0, 0 };
        for (int b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            types.Add(6);                               // BYTE
            scores.Add(0);
        }
        for (int i = 0; i < Pieces.Length; i++)
        {
            tokens.Add(Pieces[i]);
            types.Add(1);                               // NORMAL
            scores.Add(Pieces[i].Length);               // longer pieces win the SPM merges
        }

        var writer = new GgufWriter();
        writer.Metadata
            .SetString("general.architecture", "llama")
            .SetString("general.name", "vocab-only-test")
            .SetUInt32("llama.context_length", 256)
            .SetUInt32("llama.embedding_length", NEmbd)
            .SetUInt32("llama.block_count", 1)
            .SetUInt32("llama.feed_forward_length", NFf)
            .SetUInt32("llama.attention.head_count", NHead)
            .SetUInt32("llama.attention.head_count_kv", NHead)
            .SetFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .SetString("tokenizer.ggml.model", "llama")
            .Set("tokenizer.ggml.tokens", GgufValue.FromArray(tokens.ToArray()))
            .Set("tokenizer.ggml.scores", GgufValue.FromArray(scores.ToArray()))
            .Set("tokenizer.ggml.token_type", GgufValue.FromArray(types.ToArray()))
            .SetUInt32("llama.rope.dimension_count", NEmbd / NHead)
            .SetUInt32("tokenizer.ggml.bos_token_id", Bos)
            .SetUInt32("tokenizer.ggml.eos_token_id", Eos)
            .SetUInt32("tokenizer.ggml.unknown_token_id", Unk)
            .SetBool("tokenizer.ggml.add_bos_token", true)
            .SetBool("tokenizer.ggml.add_eos_token", false)
            .SetString("tokenizer.chat_template", ChatTemplate);

        if (withWeights)
        {
            int nVocab = tokens.Count;
            (string Name, long[] Ne, bool Norm)[] tensors =
            [
                ("token_embd.weight", [NEmbd, nVocab], false),
                ("output_norm.weight", [NEmbd], true),
                ("output.weight", [NEmbd, nVocab], false),
                ("blk.0.attn_norm.weight", [NEmbd], true),
                ("blk.0.attn_q.weight", [NEmbd, NEmbd], false),
                ("blk.0.attn_k.weight", [NEmbd, NEmbd], false),
                ("blk.0.attn_v.weight", [NEmbd, NEmbd], false),
                ("blk.0.attn_output.weight", [NEmbd, NEmbd], false),
                ("blk.0.ffn_norm.weight", [NEmbd], true),
                ("blk.0.ffn_gate.weight", [NEmbd, NFf], false),
                ("blk.0.ffn_up.weight", [NEmbd, NFf], false),
                ("blk.0.ffn_down.weight", [NFf, NEmbd], false),
            ];
            var rng = new Random(1234);
            foreach (var t in tensors)
            {
                // Drawn eagerly, in file order, so the weights do not depend on when the writer pulls them.
                float[] data = new float[t.Ne.Aggregate(1L, (a, b) => a * b)];
                for (int i = 0; i < data.Length; i++) data[i] = t.Norm ? 1f : (float)(rng.NextDouble() - 0.5) * 0.5f;
                writer.AddTensor(t.Name, t.Ne, GgmlType.F32, data);
            }
        }
        writer.Write(path);
    }
}
