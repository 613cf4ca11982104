using System.Text.Json;

namespace LlmDistill.Tokenization;

/// <summary>
/// Reads a Hugging Face <c>tokenizer.json</c> (and optionally <c>tokenizer_config.json</c>) into a
/// <see cref="TokenizerVocabulary"/> the way llama.cpp's converter would lay it out in a GGUF:
/// ids with no token become unused <c>[PAD{id}]</c>; added tokens become control tokens when special
/// (or when they look special, <c>&lt;|...|&gt;</c>, as the converter does) and user-defined otherwise.
/// Byte-level BPE tokenizers become <c>gpt2</c> vocabularies; SentencePiece-style BPE tokenizers (byte fallback,
/// <c>▁</c> for spaces: Llama 2, Mistral, Gemma) become <c>llama</c> vocabularies whose scores follow the merge order
/// (a token made by an earlier merge scores higher), which is what SentencePiece's own scores encode for these models.
/// </summary>
public static class HuggingFaceTokenizerImport
{
    /// <summary>Split regexes of known Hugging Face pre-tokenizers (several joined by a new line), mapped to llama.cpp's pre-tokenizer name.</summary>
    static readonly Dictionary<string, string> PreBySplitRegex = new(StringComparer.Ordinal)
    {
        [@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"] = PreTokenizerNames.Qwen2,
        [@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"] = PreTokenizerNames.LlamaBpe,
        [@"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+"] = PreTokenizerNames.Gpt4o,
        [@"\p{N}{1,3}" + "\n" + "[一-龥぀-ゟ゠-ヿ]+" + "\n" + @"[!""#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^" + "\r\n" + @"\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[" + "\r\n" + @"]*|\s*[" + "\r\n" + @"]+|\s+(?!\S)|\s+"] = PreTokenizerNames.DeepSeekV3,
    };

    /// <param name="tokenizerJsonPath">Path of <c>tokenizer.json</c>.</param>
    /// <param name="tokenizerConfigPath">Path of <c>tokenizer_config.json</c> (chat template, bos/eos/pad names, add_bos_token); optional.</param>
    /// <param name="pre">llama.cpp pre-tokenizer name; when null it is recognised from the Split regex in <c>pre_tokenizer</c>.</param>
    public static TokenizerVocabulary Load(string tokenizerJsonPath, string? tokenizerConfigPath = null, string? pre = null)
    {
        string file = Path.GetFileName(tokenizerJsonPath);
        using var doc = Parse(tokenizerJsonPath);
        var root = doc.RootElement;
        // As ReadConfig's: TryGetProperty throws InvalidOperationException on anything but an object (found by fuzzing: a file holding "&").
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: the top level is not a JSON object.");

        var model = Required(root, "model", file, JsonValueKind.Object);
        string modelType = Required(model, "type", file, JsonValueKind.String, "model.type").GetString()!;
        if (modelType != "BPE")
            throw new NotSupportedException($"{file}: model.type = '{modelType}' is not supported; only byte-level 'BPE' tokenizers are.");
        bool sentencePiece = !UsesByteLevel(root);
        if (sentencePiece && !(model.TryGetProperty("byte_fallback", out var fallback) && fallback.ValueKind == JsonValueKind.True))
            throw new NotSupportedException($"{file}: BPE with neither a ByteLevel pre-tokenizer or decoder nor byte_fallback is not supported.");

        // Token text by id, from model.vocab and added_tokens.
        var byId = new Dictionary<int, string>();
        var vocab = Required(model, "vocab", file, JsonValueKind.Object, "model.vocab");
        foreach (var entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
                throw new InvalidDataException($"{file}: model.vocab[\"{entry.Name}\"] is not a non-negative integer id.");
            if (!byId.TryAdd(id, entry.Name))
                throw new InvalidDataException($"{file}: model.vocab gives id {id} to both \"{byId[id]}\" and \"{entry.Name}\".");
        }

        var addedTypes = new Dictionary<int, TokenType>();
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
        {
            int index = 0;
            foreach (var token in added.EnumerateArray())
            {
                string where = $"added_tokens[{index++}]";
                if (token.ValueKind != JsonValueKind.Object)
                    throw new InvalidDataException($"{file}: {where} should be a JSON object, found {token.ValueKind.ToString().ToLowerInvariant()}.");
                // TryGetInt32 throws InvalidOperationException on a non-number (found by fuzzing: "id": false).
                if (!token.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt32(out int id) || id < 0)
                    throw new InvalidDataException($"{file}: {where}.id is missing or not a non-negative integer.");
                string content = Required(token, "content", file, JsonValueKind.String, where + ".content").GetString()!;
                bool special = token.TryGetProperty("special", out var s) && s.ValueKind == JsonValueKind.True;
                byId[id] = content;
                addedTypes[id] = special || LooksSpecial(content) ? TokenType.Control : TokenType.UserDefined;
            }
        }
        if (byId.Count == 0) throw new InvalidDataException($"{file}: model.vocab is empty.");

        int count = byId.Keys.Max() + 1;
        var tokens = new string[count];
        var types = new TokenType[count];
        for (int id = 0; id < count; id++)
        {
            if (byId.TryGetValue(id, out var text))
            {
                tokens[id] = text;
                types[id] = addedTypes.TryGetValue(id, out var t) ? t : TokenType.Normal;
            }
            else
            {
                tokens[id] = $"[PAD{id}]";
                types[id] = TokenType.Unused;
            }
        }

        var merges = ReadMerges(model, file);
        var config = tokenizerConfigPath is null ? null : ReadConfig(tokenizerConfigPath);
        TokenizerVocabulary vocabulary;
        if (sentencePiece)
        {
            if (model.TryGetProperty("unk_token", out var unk) && unk.ValueKind == JsonValueKind.String
                && Array.IndexOf(tokens, unk.GetString()) is var unkId and >= 0)
                types[unkId] = TokenType.Unknown;
            for (int id = 0; id < count; id++)
            {
                if (types[id] == TokenType.Normal && IsByteToken(tokens[id])) types[id] = TokenType.Byte;
                // The converter writes user-defined tokens with real spaces (Gemma's whitespace runs), so llama.cpp
                // matches them in raw text and renders them back as spaces.
                if (types[id] == TokenType.UserDefined) tokens[id] = tokens[id].Replace('\u2581', ' ');
            }
            vocabulary = new TokenizerVocabulary
            {
                Model = TokenizerModelKind.Llama,
                Pre = pre ?? PreTokenizerNames.Default,
                Tokens = tokens,
                TokenTypes = types,
                Scores = ScoresFromMerges(tokens, types, merges),
                AddSpacePrefix = PrependsSpace(root),
            };
        }
        else
        {
            vocabulary = new TokenizerVocabulary
            {
                Model = TokenizerModelKind.Gpt2,
                Pre = pre ?? RecognisePre(root, file),
                Tokens = tokens,
                TokenTypes = types,
                Merges = merges,
            };
        }
        if (config is not null)
        {
            int? IdOfConfigToken(string? name, string field)
            {
                if (name is null) return null;
                return vocabulary.IdOf(name) ?? throw new InvalidDataException(
                    $"{Path.GetFileName(tokenizerConfigPath)}: {field} \"{name}\" is not a token of {file}.");
            }
            vocabulary = vocabulary with
            {
                Special = new SpecialTokenIds(
                    Bos: IdOfConfigToken(config.Bos, "bos_token"),
                    Eos: IdOfConfigToken(config.Eos, "eos_token"),
                    Pad: IdOfConfigToken(config.Pad, "pad_token"),
                    Unk: IdOfConfigToken(config.Unk, "unk_token"),
                    AddBos: config.AddBos,
                    AddEos: config.AddEos),
                ChatTemplate = config.ChatTemplate,
            };
        }
        return vocabulary.Validate();
    }

    static bool IsByteToken(string token) =>
        token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>' && Uri.IsHexDigit(token[3]) && Uri.IsHexDigit(token[4]);

    /// <summary>
    /// SentencePiece scores for a BPE vocabulary: a normal token made by merge r scores -r (so llama.cpp merges the pairs
    /// Hugging Face merges first first); a normal token no merge makes scores below all of them; other tokens score 0.
    /// </summary>
    static float[] ScoresFromMerges(string[] tokens, TokenType[] types, string[] merges)
    {
        var rank = new Dictionary<string, int>(merges.Length, StringComparer.Ordinal);
        for (int r = 0; r < merges.Length; r++)
        {
            int space = merges[r].IndexOf(' ', 1);
            rank.TryAdd(string.Concat(merges[r].AsSpan(0, space), merges[r].AsSpan(space + 1)), r);
        }
        var scores = new float[tokens.Length];
        for (int id = 0; id < tokens.Length; id++)
            if (types[id] == TokenType.Normal)
                scores[id] = rank.TryGetValue(tokens[id], out int r) ? -r : -merges.Length - 1;
        return scores;
    }

    /// <summary>Whether the normalizer prepends <c>▁</c> (Llama 2's <c>Prepend</c>; Gemma has none).</summary>
    static bool PrependsSpace(JsonElement root) => root.TryGetProperty("normalizer", out var n) && HasStepOfType(n, "Prepend");

    /// <summary>Whether <paramref name="e"/> or any object inside it has <c>"type": type</c> (steps nest in Sequences).</summary>
    static bool HasStepOfType(JsonElement e, string type) => e.ValueKind switch
    {
        JsonValueKind.Object => (e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == type)
            || e.EnumerateObject().Any(p => HasStepOfType(p.Value, type)),
        JsonValueKind.Array => e.EnumerateArray().Any(x => HasStepOfType(x, type)),
        _ => false,
    };

    /// <summary>What llama.cpp's converter treats as special even when the file says otherwise.</summary>
    static bool LooksSpecial(string token) =>
        token is "<pad>" or "<mask>"
        || (token.StartsWith("<|", StringComparison.Ordinal) && token.EndsWith("|>", StringComparison.Ordinal));

    static string[] ReadMerges(JsonElement model, string file)
    {
        var mergesElement = Required(model, "merges", file, JsonValueKind.Array, "model.merges");
        var merges = new string[mergesElement.GetArrayLength()];
        int i = 0;
        foreach (var merge in mergesElement.EnumerateArray())
        {
            merges[i] = merge.ValueKind switch
            {
                // Older files: "left right".
                JsonValueKind.String => merge.GetString()!,
                // Newer files: ["left", "right"].
                JsonValueKind.Array when merge.GetArrayLength() == 2
                    && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String
                    => merge[0].GetString() + " " + merge[1].GetString(),
                _ => throw new InvalidDataException($"{file}: model.merges[{i}] is neither \"left right\" nor [\"left\", \"right\"]."),
            };
            // A space with a part on each side ("" made IndexOf throw: found by fuzzing).
            if ((merges[i].Length < 3 ? -1 : merges[i].IndexOf(' ', 1)) is var space && (space <= 0 || space == merges[i].Length - 1))
                throw new InvalidDataException($"{file}: model.merges[{i}] \"{merges[i]}\" does not have two parts.");
            i++;
        }
        return merges;
    }

    static bool UsesByteLevel(JsonElement root) =>
        (root.TryGetProperty("pre_tokenizer", out var p) && HasStepOfType(p, "ByteLevel"))
        || (root.TryGetProperty("decoder", out var d) && HasStepOfType(d, "ByteLevel"));

    static string RecognisePre(JsonElement root, string file)
    {
        var splitRegexes = new List<string>();
        bool byteLevelRegex = false;
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Array) { foreach (var x in e.EnumerateArray()) Walk(x); return; }
            if (e.ValueKind != JsonValueKind.Object) return;
            string? type = e.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            // Each value's kind checked before reading it: TryGetProperty and GetString throw on other kinds.
            if (type == "Split" && e.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
                && pattern.TryGetProperty("Regex", out var regex) && regex.ValueKind == JsonValueKind.String)
                splitRegexes.Add(regex.GetString()!);
            if (type == "ByteLevel" && e.TryGetProperty("use_regex", out var useRegex) && useRegex.ValueKind == JsonValueKind.True)
                byteLevelRegex = true;
            if (e.TryGetProperty("pretokenizers", out var children)) Walk(children);
        }
        if (root.TryGetProperty("pre_tokenizer", out var preTokenizer)) Walk(preTokenizer);

        if (splitRegexes.Count > 0 && !byteLevelRegex && PreBySplitRegex.TryGetValue(string.Join('\n', splitRegexes), out var name)) return name;
        if (splitRegexes.Count == 0 && byteLevelRegex) return PreTokenizerNames.Gpt2;
        string found = splitRegexes.Count == 0 ? "no Split regex" : "Split regex " + string.Join(" then ", splitRegexes.Select(r => $"'{r}'"));
        throw new NotSupportedException(
            $"{file}: pre_tokenizer ({found}{(byteLevelRegex ? ", ByteLevel with use_regex" : "")}) is not one this project recognises " +
            $"(qwen2, llama-bpe, gpt-4o, deepseek-v3, gpt-2); pass the llama.cpp pre-tokenizer name explicitly if you know it.");
    }

    sealed record Config(string? Bos, string? Eos, string? Pad, string? Unk, bool AddBos, bool AddEos, string? ChatTemplate);

    static Config ReadConfig(string path)
    {
        string file = Path.GetFileName(path);
        using var doc = Parse(path);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{file}: the top level is not a JSON object.");

        string? TokenName(string field)
        {
            if (!root.TryGetProperty(field, out var v)) return null;
            return v.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => v.GetString(),
                // AddedToken objects: {"content": "<s>", ...}
                JsonValueKind.Object when v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String => c.GetString(),
                _ => throw new InvalidDataException($"{file}: {field} is neither a string, null nor an object with \"content\"."),
            };
        }
        bool Flag(string field) => root.TryGetProperty(field, out var v) && v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw new InvalidDataException($"{file}: {field} is not a boolean."),
        };
        string? template = null;
        if (root.TryGetProperty("chat_template", out var ct))
        {
            template = ct.ValueKind switch
            {
                JsonValueKind.String => ct.GetString(),
                JsonValueKind.Null => null,
                // Named templates: [{"name": "default", "template": "..."}, ...]
                JsonValueKind.Array => ct.EnumerateArray()
                    .Where(t => t.ValueKind == JsonValueKind.Object && t.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String && n.GetString() == "default")
                    .Select(t => t.TryGetProperty("template", out var body) && body.ValueKind == JsonValueKind.String ? body.GetString()
                        : throw new InvalidDataException($"{file}: chat_template's \"default\" entry has no string \"template\"."))
                    .FirstOrDefault(),
                _ => throw new InvalidDataException($"{file}: chat_template is neither a string nor a list of named templates."),
            };
        }
        return new Config(TokenName("bos_token"), TokenName("eos_token"), TokenName("pad_token"), TokenName("unk_token"),
            Flag("add_bos_token"), Flag("add_eos_token"), template);
    }

    static JsonDocument Parse(string path)
    {
        try
        {
            // JsonDocument does not check the UTF-8 inside strings until they are read, where it throws
            // InvalidOperationException (found by fuzzing): check the whole file first.
            byte[] bytes = File.ReadAllBytes(path);
            if (!System.Text.Unicode.Utf8.IsValid(bytes))
            {
                int at = FirstInvalidUtf8(bytes);
                throw new InvalidDataException($"{Path.GetFileName(path)}: not valid UTF-8 (byte offset {at}).");
            }
            return JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: not valid JSON ({e.Message}).", e);
        }
    }

    static int FirstInvalidUtf8(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? -1 : read;
    }

    static JsonElement Required(JsonElement parent, string name, string file, JsonValueKind kind, string? path = null)
    {
        if (!parent.TryGetProperty(name, out var value))
            throw new InvalidDataException($"{file}: {path ?? name} is missing.");
        if (value.ValueKind != kind)
            throw new InvalidDataException($"{file}: {path ?? name} should be a JSON {kind.ToString().ToLowerInvariant()}, found {value.ValueKind.ToString().ToLowerInvariant()}.");
        return value;
    }
}
