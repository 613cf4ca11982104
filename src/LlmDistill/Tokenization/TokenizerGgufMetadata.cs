using LlmDistill.Gguf;

namespace LlmDistill.Tokenization;

/// <summary>
/// Converts a <see cref="TokenizerVocabulary"/> to and from GGUF metadata, with the keys and value types
/// llama.cpp's converter writes (gguf-py/gguf/constants.py <c>Keys.Tokenizer</c>).
/// </summary>
public static class TokenizerGgufMetadata
{
    public const string ModelKey = "tokenizer.ggml.model";
    public const string PreKey = "tokenizer.ggml.pre";
    public const string TokensKey = "tokenizer.ggml.tokens";
    public const string TokenTypeKey = "tokenizer.ggml.token_type";
    public const string ScoresKey = "tokenizer.ggml.scores";
    public const string MergesKey = "tokenizer.ggml.merges";
    public const string BosKey = "tokenizer.ggml.bos_token_id";
    public const string EosKey = "tokenizer.ggml.eos_token_id";
    public const string EotKey = "tokenizer.ggml.eot_token_id";
    public const string PadKey = "tokenizer.ggml.padding_token_id";
    public const string UnkKey = "tokenizer.ggml.unknown_token_id";
    public const string AddBosKey = "tokenizer.ggml.add_bos_token";
    public const string AddEosKey = "tokenizer.ggml.add_eos_token";
    public const string ChatTemplateKey = "tokenizer.chat_template";
    public const string AddSpacePrefixKey = "tokenizer.ggml.add_space_prefix";

    /// <summary>Sets the tokenizer keys of <paramref name="metadata"/> (absent special ids and template are removed).</summary>
    public static GgufMetadata Write(TokenizerVocabulary vocabulary, GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(metadata);
        vocabulary.Validate();
        metadata.SetString(ModelKey, vocabulary.Model.ToGgufName());
        metadata.SetString(PreKey, vocabulary.Pre);
        metadata.SetStringArray(TokensKey, vocabulary.Tokens);
        if (vocabulary.Scores is { } scores) metadata.SetFloat32Array(ScoresKey, scores);
        else metadata.Remove(ScoresKey);
        metadata.SetInt32Array(TokenTypeKey, Array.ConvertAll(vocabulary.TokenTypes, t => (int)t));
        if (vocabulary.Model == TokenizerModelKind.Gpt2 || vocabulary.Merges.Length > 0) metadata.SetStringArray(MergesKey, vocabulary.Merges);
        else metadata.Remove(MergesKey);

        var s = vocabulary.Special;
        SetId(metadata, BosKey, s.Bos);
        SetId(metadata, EosKey, s.Eos);
        SetId(metadata, EotKey, s.Eot);
        SetId(metadata, PadKey, s.Pad);
        SetId(metadata, UnkKey, s.Unk);
        metadata.SetBool(AddBosKey, s.AddBos);
        metadata.SetBool(AddEosKey, s.AddEos);
        if (vocabulary.Model == TokenizerModelKind.Llama) metadata.SetBool(AddSpacePrefixKey, vocabulary.AddSpacePrefix);
        else metadata.Remove(AddSpacePrefixKey);
        if (vocabulary.ChatTemplate is { } template) metadata.SetString(ChatTemplateKey, template);
        else metadata.Remove(ChatTemplateKey);
        return metadata;
    }

    static void SetId(GgufMetadata metadata, string key, int? id)
    {
        if (id is { } v) metadata.SetUInt32(key, (uint)v);
        else metadata.Remove(key);
    }

    /// <summary>The vocabulary of the GGUF file at <paramref name="path"/> (its header only: tensors are not read).</summary>
    public static TokenizerVocabulary ReadFile(string path)
    {
        using var file = GgufFile.Open(path);
        return Read(file.Metadata);
    }

    /// <summary>
    /// Reads the vocabulary from GGUF metadata. A missing <c>tokenizer.ggml.pre</c> reads as <c>default</c>, as in
    /// llama.cpp; a missing token type list reads as all normal. Missing required keys or wrong types throw, naming the key.
    /// </summary>
    public static TokenizerVocabulary Read(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var model = TokenizerModelKinds.FromGgufName(metadata.GetString(ModelKey));
        string[] tokens = metadata.GetStringArray(TokensKey);
        var types = metadata.TryGetInt32Array(TokenTypeKey, out var rawTypes)
            ? Array.ConvertAll(rawTypes, t => (TokenType)t)
            : Enumerable.Repeat(TokenType.Normal, tokens.Length).ToArray();
        if (types.Length != tokens.Length)
            throw new InvalidDataException($"GGUF metadata '{TokenTypeKey}' has {types.Length} entries but '{TokensKey}' has {tokens.Length}.");
        string[] merges = metadata.TryGetStringArray(MergesKey, out var m) ? m : [];
        if (model == TokenizerModelKind.Gpt2 && !metadata.ContainsKey(MergesKey))
            throw new InvalidDataException($"GGUF metadata '{MergesKey}' is missing; a 'gpt2' tokenizer needs its merges.");

        // Absent keys take llama.cpp's defaults: SentencePiece has bos 1, eos 2, unk 0, adds BOS and a space prefix;
        // a few BPE pre-tokenizers (llama3, tekken, chameleon) add BOS.
        string pre = metadata.TryGetString(PreKey, out var p) ? p : PreTokenizerNames.Default;
        bool spm = model == TokenizerModelKind.Llama;
        int? Id(string key, int? spmDefault = null) => metadata.TryGetUInt32(key, out uint v) ? checked((int)v)
            : spm && spmDefault < tokens.Length ? spmDefault : null;
        bool Flag(string key, bool absent = false) => metadata.TryGetBool(key, out bool b) ? b : absent;
        bool addBosDefault = spm || LlamaCppPreTokenizer.AddsBosByDefault(pre);

        return new TokenizerVocabulary
        {
            Model = model,
            Pre = pre,
            Tokens = tokens,
            TokenTypes = types,
            Merges = merges,
            Scores = metadata.TryGetFloat32Array(ScoresKey, out var scores) ? scores : null,
            Special = new SpecialTokenIds(Id(BosKey, 1), Id(EosKey, 2), Id(EotKey), Id(PadKey), Id(UnkKey, 0), Flag(AddBosKey, addBosDefault), Flag(AddEosKey)),
            AddSpacePrefix = Flag(AddSpacePrefixKey, absent: true),
            ChatTemplate = metadata.TryGetString(ChatTemplateKey, out var template) ? template : null,
        }.Validate();
    }
}
