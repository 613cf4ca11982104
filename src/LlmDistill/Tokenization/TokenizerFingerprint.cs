using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace LlmDistill.Tokenization;

/// <summary>
/// A SHA-256 (lower-case hex) over everything that decides which ids a text gets, so that stages can refuse traces,
/// checkpoints or models made with another tokenizer. The chat template is not part of it.
/// <para>Canonical byte encoding, version 1 (integers little-endian; a "string" is a u32 byte count then UTF-8 bytes):</para>
/// <list type="number">
/// <item>string <see cref="Magic"/> (<c>llmdistill-tokenizer-fingerprint-v1</c>);</item>
/// <item>string model (<c>gpt2</c>/<c>llama</c>); string pre;</item>
/// <item>u32 token count; per token: string text, i32 type;</item>
/// <item>u32 merge count; per merge: string <c>"left right"</c>;</item>
/// <item>u8 has-scores; if 1, per token the f32 score's bits as u32;</item>
/// <item>i32 bos, eos, eot, pad, unk (-1 when absent); u8 add_bos; u8 add_eos.</item>
/// </list>
/// </summary>
public static class TokenizerFingerprint
{
    public const string Magic = "llmdistill-tokenizer-fingerprint-v1";

    public static string Compute(TokenizerVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[4];

        void U32(uint v) { BinaryPrimitives.WriteUInt32LittleEndian(buffer, v); hash.AppendData(buffer, 0, 4); }
        void I32(int v) { BinaryPrimitives.WriteInt32LittleEndian(buffer, v); hash.AppendData(buffer, 0, 4); }
        void U8(bool v) { buffer[0] = v ? (byte)1 : (byte)0; hash.AppendData(buffer, 0, 1); }
        void Str(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s);
            U32((uint)bytes.Length);
            hash.AppendData(bytes);
        }

        Str(Magic);
        Str(vocabulary.Model.ToGgufName());
        Str(vocabulary.Pre);
        U32((uint)vocabulary.Count);
        for (int i = 0; i < vocabulary.Count; i++)
        {
            Str(vocabulary.Tokens[i]);
            I32((int)vocabulary.TokenTypes[i]);
        }
        U32((uint)vocabulary.Merges.Length);
        foreach (var merge in vocabulary.Merges) Str(merge);
        U8(vocabulary.Scores is not null);
        if (vocabulary.Scores is { } scores)
            foreach (float score in scores) U32(BitConverter.SingleToUInt32Bits(score));
        var s = vocabulary.Special;
        I32(s.Bos ?? -1); I32(s.Eos ?? -1); I32(s.Eot ?? -1); I32(s.Pad ?? -1); I32(s.Unk ?? -1);
        U8(s.AddBos); U8(s.AddEos);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
