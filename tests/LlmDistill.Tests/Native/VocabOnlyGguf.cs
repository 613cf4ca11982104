using System.Text;

namespace LlmDistill.Tests.Native;

/// <summary>
/// Writes a tiny vocab-only GGUF (v3, no tensors): llama architecture hyper-parameters plus a SentencePiece
/// ("llama") vocabulary of &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, 256 byte-fallback tokens and a few word pieces.
/// Loadable with LlamaModelOptions.VocabOnly = true. Written from the GGUF spec, just for the binding's tests.
/// </summary>
internal static class VocabOnlyGguf
{
    public const int Unk = 0, Bos = 1, Eos = 2, FirstByte = 3;

    /// <summary>Word pieces after the byte tokens (ids 259...).</summary>
    public static readonly string[] Pieces =
        ["▁", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "▁h", "▁he", "▁hello", "▁w", "or", "▁wor", "ld", "▁world"];

    public const string ChatTemplate = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}";

    public static int ByteToken(byte b) => FirstByte + b;

    public static void Write(string path)
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
        KvU32("llama.embedding_length", 64);
        KvU32("llama.block_count", 1);
        KvU32("llama.feed_forward_length", 128);
        KvU32("llama.attention.head_count", 4);
        KvU32("llama.attention.head_count_kv", 4);
        KvF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        KvStr("tokenizer.ggml.model", "llama");
        KvArr("tokenizer.ggml.tokens", 8u, tokens, Str);
        KvArr("tokenizer.ggml.scores", 6u, scores, w.Write);
        KvArr("tokenizer.ggml.token_type", 5u, types, w.Write);
        KvU32("tokenizer.ggml.bos_token_id", Bos);
        KvU32("tokenizer.ggml.eos_token_id", Eos);
        KvU32("tokenizer.ggml.unknown_token_id", Unk);
        KvBool("tokenizer.ggml.add_bos_token", true);
        KvBool("tokenizer.ggml.add_eos_token", false);
        KvStr("tokenizer.chat_template", ChatTemplate);

        w.Write(0x46554747u);       // "GGUF"
        w.Write(3u);                // version
        w.Write(0UL);               // tensor count
        w.Write((ulong)kvs.Count);
        foreach (Action kv in kvs) kv();
        while (w.BaseStream.Position % 32 != 0) w.Write((byte)0);
    }
}
