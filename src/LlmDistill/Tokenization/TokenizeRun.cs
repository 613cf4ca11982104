using System.Text.Json;
using LlmDistill.Options;
using LlmDistill.Teacher;

namespace LlmDistill.Tokenization;

/// <summary>One text's ids from the rebuilt tokenizer, its pieces (vocabulary texts), and llama.cpp's ids when compared.</summary>
public sealed record TokenizedText(string Text, int[] Ids, string[] Pieces, int[]? LlamaCppIds)
{
    /// <summary>The first token index where llama.cpp differs (null when equal or not compared).</summary>
    public int? FirstDifference => LlamaCppIds is null || LlamaCppIds.AsSpan().SequenceEqual(Ids) ? null
        : Enumerable.Range(0, Math.Min(Ids.Length, LlamaCppIds.Length)).FirstOrDefault(i => Ids[i] != LlamaCppIds[i], Math.Min(Ids.Length, LlamaCppIds.Length));
}

/// <summary>
/// <c>llmdistill tokenize</c>: the rebuilt (managed) tokenizer of a GGUF or tokenizer.json on a text or a file of JSON
/// strings, optionally beside llama.cpp's own tokenizer on the same GGUF. No BOS/EOS are added.
/// </summary>
public sealed class TokenizeRun : IDisposable
{
    readonly GgufModel? _llamaCpp;
    readonly TokenizeSettings _settings;

    public VocabularyTokenizer Tokenizer { get; }

    TokenizeRun(TokenizeSettings settings, VocabularyTokenizer tokenizer, GgufModel? llamaCpp)
    {
        _settings = settings;
        Tokenizer = tokenizer;
        _llamaCpp = llamaCpp;
    }

    /// <summary>Loads the vocabulary (refusing one that cannot be rebuilt, by name) and, with Compare, the GGUF in llama.cpp.</summary>
    public static TokenizeRun Open(TokenizeSettings settings)
    {
        OptionsException.ThrowIfInvalid(settings);
        var vocabulary = settings.ModelPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            ? HuggingFaceTokenizerImport.Load(settings.ModelPath, ConfigBeside(settings.ModelPath))
            : TokenizerGgufMetadata.ReadFile(settings.ModelPath);
        var tokenizer = VocabularyTokenizer.Create(vocabulary);
        return new TokenizeRun(settings, tokenizer, settings.Compare ? GgufModel.Load(settings.ModelPath) : null);
    }

    static string? ConfigBeside(string tokenizerJson) =>
        Path.Combine(Path.GetDirectoryName(tokenizerJson) ?? ".", "tokenizer_config.json") is var path && File.Exists(path) ? path : null;

    public TokenizedText Tokenize(string text)
    {
        int[] ids = Tokenizer.Encode(text, addSpecial: false, parseSpecial: _settings.Special);
        var tokens = Tokenizer.Vocabulary.Tokens;
        return new TokenizedText(text, ids, Array.ConvertAll(ids, id => tokens[id]),
            _llamaCpp?.Vocab.Tokenize(text, addSpecial: false, parseSpecial: _settings.Special));
    }

    /// <summary>The texts of <see cref="TokenizeSettings.Text"/> or of each line of <see cref="TokenizeSettings.FilePath"/>, tokenized in order.</summary>
    public IEnumerable<TokenizedText> Run()
    {
        if (_settings.Text is { } text)
        {
            yield return Tokenize(text);
            yield break;
        }
        int line = 0;
        foreach (string json in File.ReadLines(_settings.FilePath!))
        {
            line++;
            string? value;
            try
            {
                value = JsonSerializer.Deserialize<string>(json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{Path.GetFileName(_settings.FilePath)} line {line} is not a JSON string ({e.Message}).", e);
            }
            yield return Tokenize(value ?? throw new InvalidDataException($"{Path.GetFileName(_settings.FilePath)} line {line} is null, not a JSON string."));
        }
    }

    public void Dispose() => _llamaCpp?.Dispose();
}
