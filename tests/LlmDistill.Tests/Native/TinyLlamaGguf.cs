using System.Text;

namespace LlmDistill.Tests.Native;

/// <summary>
/// Writes a tiny GGUF (v3; vocab-only, or with one block of random weights): llama architecture hyper-parameters plus a SentencePiece
/// ("llama") vocabulary of &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, 256 byte-fallback tokens and a few word pieces.
/// Loadable with LlamaModelOptions.VocabOnly = true. Written from the GGUF spec, just for the binding's tests.
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

        using var w = new BinaryWriter(File.Create(path), Encoding.UTF8);
        var kvs = new List<Action>();
        void Str(string s) { byte[] b = Encoding.UTF8.GetBytes(s); w.Write((ulong)b.Length); w.Write(b); }
        void KvStr(string k, string v) => kvs.Add(() => { Str(k); w.Write(8u); Str(v); });
        void KvU32(string k, uint v) => kvs.Add(() => { Str(k); w.Write(4u); w.Write(v); });
        void KvF32(string k, float v) => kvs.Add(() => { Str(k); w.Write(6u); w.Write(v); });
        void KvBool(string k, bool v) => kvs.Add(() => { Str(k); w.Write(7u); w.Write(v); });
        void KvArr<T>(string k, uint type, IReadOnlyList<T> items, Action<T> write) => kvs.Add(() =>
        {
            Str(k); w.Write(9u); w.Write(type); w.Write((ulong)items.Count);
            foreach (T item in items) write(item);
        });

        KvStr("general.architecture", "llama");
        KvStr("general.name", "vocab-only-test");
        KvU32("llama.context_length", 256);
        KvU32("llama.embedding_length", NEmbd);
        KvU32("llama.block_count", 1);
        KvU32("llama.feed_forward_length", NFf);
        KvU32("llama.attention.head_count", NHead);
        KvU32("llama.attention.head_count_kv", NHead);
        KvF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        KvStr("tokenizer.ggml.model", "llama");
        KvArr("tokenizer.ggml.tokens", 8u, tokens, Str);
        KvArr("tokenizer.ggml.scores", 6u, scores, w.Write);
        KvArr("tokenizer.ggml.token_type", 5u, types, w.Write);
        KvU32("llama.rope.dimension_count", NEmbd / NHead);
        KvU32("tokenizer.ggml.bos_token_id", Bos);
        KvU32("tokenizer.ggml.eos_token_id", Eos);
        KvU32("tokenizer.ggml.unknown_token_id", Unk);
        KvBool("tokenizer.ggml.add_bos_token", true);
        KvBool("tokenizer.ggml.add_eos_token", false);
        KvStr("tokenizer.chat_template", ChatTemplate);

        int nVocab = tokens.Count;
        var tensors = new List<(string Name, long[] Ne, bool Norm)>();
        if (withWeights)
        {
            tensors.Add(("token_embd.weight", [NEmbd, nVocab], false));
            tensors.Add(("output_norm.weight", [NEmbd], true));
            tensors.Add(("output.weight", [NEmbd, nVocab], false));
            tensors.Add(("blk.0.attn_norm.weight", [NEmbd], true));
            tensors.Add(("blk.0.attn_q.weight", [NEmbd, NEmbd], false));
            tensors.Add(("blk.0.attn_k.weight", [NEmbd, NEmbd], false));
            tensors.Add(("blk.0.attn_v.weight", [NEmbd, NEmbd], false));
            tensors.Add(("blk.0.attn_output.weight", [NEmbd, NEmbd], false));
            tensors.Add(("blk.0.ffn_norm.weight", [NEmbd], true));
            tensors.Add(("blk.0.ffn_gate.weight", [NEmbd, NFf], false));
            tensors.Add(("blk.0.ffn_up.weight", [NEmbd, NFf], false));
            tensors.Add(("blk.0.ffn_down.weight", [NFf, NEmbd], false));
        }

        w.Write(0x46554747u);       // "GGUF"
        w.Write(3u);                // version
        w.Write((ulong)tensors.Count);
        w.Write((ulong)kvs.Count);
        foreach (Action kv in kvs) kv();
        ulong offset = 0;
        foreach (var t in tensors)
        {
            Str(t.Name);
            w.Write((uint)t.Ne.Length);
            foreach (long d in t.Ne) w.Write((ulong)d);
            w.Write(0u);            // GGML_TYPE_F32
            w.Write(offset);
            ulong bytes = (ulong)(t.Ne.Aggregate(1L, (a, b) => a * b) * 4);
            offset += (bytes + 31) / 32 * 32;
        }
        while (w.BaseStream.Position % 32 != 0) w.Write((byte)0);
        var rng = new Random(1234);
        foreach (var t in tensors)
        {
            long n = t.Ne.Aggregate(1L, (a, b) => a * b);
            for (long i = 0; i < n; i++)
                w.Write(t.Norm ? 1f : (float)(rng.NextDouble() - 0.5) * 0.5f);
            while (w.BaseStream.Position % 32 != 0) w.Write((byte)0);
        }
    }
}
