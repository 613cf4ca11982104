using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace LlmDistill.Tokenization;

/// <summary>
/// Splits text into words the way llama.cpp does for a given <c>tokenizer.ggml.pre</c> (src/llama-vocab.cpp,
/// src/unicode.cpp): each regex of the pre-tokenizer's list splits every piece left by the previous one, and text
/// a regex does not match stays as a piece of its own. Regexes see one piece at a time (lookaheads stop at its end).
/// <para>llama.cpp runs its regexes on code points where every non-ASCII whitespace reads as <c>\v</c> and
/// <c>\p{Lu}</c>..<c>\p{Lo}</c> all mean "letter"; its hand-written splitters (gpt2, llama3, qwen2) agree with the
/// regexes. .NET regexes work on UTF-16 units, so a piece holding a surrogate pair or a non-ASCII whitespace is
/// matched on a copy with one char per code point (a supplementary code point becomes a BMP character of the same
/// class that no regex here names literally), and offsets are mapped back.</para>
/// </summary>
internal sealed partial class LlamaCppPreTokenizer : PreTokenizer
{
    // The regexes of llama.cpp v0.5.0 (llama-vocab.cpp, llm_tokenizer_bpe), in its case-explicit spelling.
    const string Contractions = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    const string Llama3Regex = Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Qwen2Regex = Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Gpt2Regex = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
    const string Jais2Regex = Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S)|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1}";
    const string DeepSeekLlmLetters = "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+";
    const string CjkRun = "[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+";
    const string DeepSeek3Words = @"[!""#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Spark25Words = @"[!""#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+|[\r\n]|\s+(?!\S)|\s+";
    const string CaseSplitWords = @"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+" + Contractions + @"?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*" + Contractions + @"?";
    const string Gpt4oRegex = @"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+" + Contractions + @"?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*" + Contractions + @"?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    const string Poro = " ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+";

    sealed record Spec(bool IgnoreMerges, string[] Regexes);

    /// <summary>Every BPE pre-tokenizer name llama.cpp v0.5.0 accepts that is rebuilt here, with its regexes.</summary>
    static readonly Dictionary<string, Spec> Specs = BuildSpecs();

    /// <summary>Names llama.cpp accepts that are refused here, with the reason.</summary>
    static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["kimi-k2"] = "llama.cpp splits it with hand-written Han-script code, not a regex",
        ["afmoe"] = "llama.cpp groups its digits with hand-written code, not a regex",
        ["tiny_aya"] = "llama.cpp groups its digits with hand-written code, not a regex",
        ["cohere2moe"] = "llama.cpp groups its digits with hand-written code, not a regex",
        ["gemma4"] = "its BPE runs on raw UTF-8 with SentencePiece-style spaces, not byte-level tokens",
        ["granite-embed-multi-311m"] = "its BPE runs on raw UTF-8 with SentencePiece-style spaces, not byte-level tokens",
        ["sarvam-moe"] = "its BPE runs on raw UTF-8 with SentencePiece-style spaces, not byte-level tokens",
        ["whitespace"] = "its BPE runs on raw UTF-8, not byte-level tokens",
    };

    static Dictionary<string, Spec> BuildSpecs()
    {
        var specs = new Dictionary<string, Spec>(StringComparer.Ordinal);
        void Add(bool ignoreMerges, string[] names, params string[] regexes)
        {
            var spec = new Spec(ignoreMerges, regexes);
            foreach (var name in names) specs.Add(name, spec);
        }
        Add(false, ["default"], @"[\p{P}\$\+<=>\^~\|]+", Gpt2Regex, @"\p{N}+", "[0-9][0-9][0-9]");
        Add(true, ["llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2", "jina-v5-nano"], Llama3Regex);
        Add(false, ["dbrx", "smaug-bpe", "glm4", "chatglm-bpe"], Llama3Regex);
        Add(false, ["jais-2"], Jais2Regex);
        // "$" is the end of the piece in llama.cpp's ECMAScript regex; .NET's "$" would also match before a final \n.
        Add(false, ["deepseek-llm"], "[\r\n]", DeepSeekLlmLetters, "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+", @"\s+\z", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", @"\p{N}+");
        Add(false, ["deepseek-coder"], "[\r\n]", @"\s?\p{L}+", @"\s?\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", @"\p{N}");
        Add(false, ["deepseek-v3", "hunyuan-dense", "joyai-llm", "hy_v4"], @"\p{N}{1,3}", CjkRun, DeepSeek3Words);
        Add(false, ["spark2_5"], @"\p{N}{1,3}", CjkRun, Spark25Words, @"\p{N}");
        Add(true, ["youtu"], "[\uAC00-\uD7A3\u3131-\u318E]+|[\uFF01\u2026\u201C\u201D\u2018\u2019\u2014\uFF1A\uFF1B\uFF0C\u3001-\u303F\uFE30-\uFE4F]+|[\u3105-\u312F]+|[\u4E00-\u9FA5\u3040-\u309F\u30A0-\u30FF]+",
            CaseSplitWords + @"|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        Add(false, ["falcon"], @"[\p{P}\$\+<=>\^~\|`]+", Gpt2Regex, "[0-9][0-9][0-9]");
        Add(false, ["starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b", "mellum2"], @"\p{N}", Gpt2Regex);
        Add(false, ["gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0", "mellum", "modern-bert",
            "jina-v1-en", "jina-v2-code", "roberta-bpe", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling"], Gpt2Regex);
        Add(false, ["qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan", "solar-open"], Qwen2Regex);
        Add(false, ["qwen35"], Contractions + @"|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        Add(false, ["poro-chat", "bloom", "gpt3-finnish"], Poro);
        Add(false, ["viking"], Poro, @"\p{N}");
        Add(true, ["tekken"], @"[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        Add(false, ["chameleon"], "<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\t\n]|    |  )", @"\p{N}", @"[\p{P}!-/:-@\[-`{-~]", Gpt2Regex);
        Add(false, ["gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"], Gpt4oRegex);
        Add(true, ["granite-embed-multi-97m"], Gpt4oRegex.Replace(@"(?=[\p{L}])", @"(?=[\p{L}\p{M}])"));
        // superbpe's second regex matches empty strings: each empty match is a split point.
        Add(false, ["superbpe"], @"\p{N}+", "(?=([0-9]{3})+(?![0-9]))");
        Add(false, ["bailingmoe", "bailingmoe2", "llada-moe"], @"'(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+");
        Add(false, ["seed-coder"], Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+");
        Add(false, ["ufakzeka"], @"[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        Add(false, ["grok-2"], Qwen2Regex);
        Add(false, ["laguna"], "[^\n]+|[\n]+", Qwen2Regex);
        Add(false, ["exaone-moe"], Contractions + @"|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?|\s*[\r\n]|\s+(?!\S)|\s+");
        Add(true, ["minicpm5"], @"\p{N}{1,3}", Contractions + @"|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+");
        return specs;
    }

    readonly Regex[] _regexes;

    /// <summary>Whether llama.cpp takes a whole word that is itself a token without running merges (Llama 3).</summary>
    public bool IgnoreMerges { get; }
    public string Name { get; }

    LlamaCppPreTokenizer(string name, Spec spec)
    {
        Name = name;
        IgnoreMerges = spec.IgnoreMerges;
        _regexes = spec.Regexes.Select(p => new Regex(ToDotNet(p), RegexOptions.Compiled | RegexOptions.CultureInvariant)).ToArray();
    }

    /// <summary>
    /// llama.cpp reads <c>\p{Lu}</c>, <c>\p{Ll}</c>, <c>\p{Lt}</c>, <c>\p{Lm}</c>, <c>\p{Lo}</c> as any letter, and
    /// supplementary-plane ranges (one class of deepseek-llm) are matched through <see cref="SupplementaryLetter"/>.
    /// </summary>
    static string ToDotNet(string pattern)
    {
        foreach (var c in new[] { "Lu", "Ll", "Lt", "Lm", "Lo" }) pattern = pattern.Replace($@"\p{{{c}}}", @"\p{L}");
        return SupplementaryRange().Replace(pattern, SupplementaryLetter.ToString());
    }

    [GeneratedRegex(@"[\uD800-\uDBFF][\uDC00-\uDFFF]-[\uD800-\uDBFF][\uDC00-\uDFFF]")]
    private static partial Regex SupplementaryRange();

    /// <summary>The pre-tokenizer for a <c>tokenizer.ggml.pre</c> value; throws <see cref="NotSupportedException"/> naming unsupported values.</summary>
    public static LlamaCppPreTokenizer ForName(string pre)
    {
        if (Specs.TryGetValue(pre, out var spec)) return new LlamaCppPreTokenizer(pre, spec);
        throw new NotSupportedException(Refused.TryGetValue(pre, out var why)
            ? $"tokenizer.ggml.pre = '{pre}' cannot be rebuilt: {why}."
            : $"tokenizer.ggml.pre = '{pre}' is not a pre-tokenizer llama.cpp names; see docs/tokenizers.md for the supported ones.");
    }

    public static bool IsSupported(string pre) => Specs.ContainsKey(pre);

    /// <summary>The first name of the group of names llama.cpp treats alike (same regexes and merge rule).</summary>
    public static string GroupOf(string pre) => Specs.First(s => ReferenceEquals(s.Value, Specs[pre])).Key;

    /// <summary>The pre-tokenizer names that are rebuilt, and those llama.cpp accepts that are refused (with why).</summary>
    public static IReadOnlyCollection<string> SupportedNames => Specs.Keys;
    public static IReadOnlyDictionary<string, string> RefusedNames => Refused;

    /// <summary>Whether llama.cpp adds BOS for this pre-tokenizer when the GGUF has no <c>tokenizer.ggml.add_bos_token</c>.</summary>
    public static bool AddsBosByDefault(string pre) =>
        pre is "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2" or "jina-v5-nano"
            or "tekken" or "chameleon";

    public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) =>
        text is null ? [] : Split(text.AsSpan());

    public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text);

    /// <summary>The word boundaries of <paramref name="text"/> as (offset, length) in UTF-16 units.</summary>
    public List<(int Offset, int Length)> Split(ReadOnlySpan<char> text)
    {
        var pieces = new List<(int Offset, int Length)>();
        if (text.IsEmpty) return pieces;
        pieces.Add((0, text.Length));
        foreach (var regex in _regexes)
        {
            var next = new List<(int, int)>(pieces.Count * 2);
            foreach (var (offset, length) in pieces) SplitPiece(regex, text.Slice(offset, length), offset, next);
            pieces = next;
        }
        return pieces;
    }

    static void SplitPiece(Regex regex, ReadOnlySpan<char> piece, int baseOffset, List<(int, int)> into)
    {
        if (!NeedsCodePointView(piece))
        {
            int end = 0;
            foreach (var match in regex.EnumerateMatches(piece))
            {
                if (match.Index > end) into.Add((baseOffset + end, match.Index - end));
                if (match.Length > 0) into.Add((baseOffset + match.Index, match.Length));
                end = match.Index + match.Length;
            }
            if (end < piece.Length) into.Add((baseOffset + end, piece.Length - end));
            return;
        }

        // One char per code point; starts[i] = UTF-16 offset of code point i (starts[n] = piece length).
        var view = new char[piece.Length];
        var starts = new int[piece.Length + 1];
        int n = 0;
        for (int i = 0; i < piece.Length; n++)
        {
            starts[n] = i;
            if (char.IsHighSurrogate(piece[i]) && i + 1 < piece.Length && char.IsLowSurrogate(piece[i + 1]))
            {
                view[n] = Representative(char.ConvertToUtf32(piece[i], piece[i + 1]));
                i += 2;
            }
            else
            {
                char c = piece[i++];
                view[n] = c > 0x7F && char.IsWhiteSpace(c) ? '\v' : c;
            }
        }
        starts[n] = piece.Length;

        int cpEnd = 0;
        foreach (var match in regex.EnumerateMatches(view.AsSpan(0, n)))
        {
            if (match.Index > cpEnd) into.Add((baseOffset + starts[cpEnd], starts[match.Index] - starts[cpEnd]));
            if (match.Length > 0) into.Add((baseOffset + starts[match.Index], starts[match.Index + match.Length] - starts[match.Index]));
            cpEnd = match.Index + match.Length;
        }
        if (cpEnd < n) into.Add((baseOffset + starts[cpEnd], piece.Length - starts[cpEnd]));
    }

    /// <summary>True when the piece holds a surrogate or a non-ASCII whitespace (which llama.cpp's regexes see as <c>\v</c>).</summary>
    static bool NeedsCodePointView(ReadOnlySpan<char> s)
    {
        foreach (char c in s) if (c > 0x7F && (char.IsSurrogate(c) || char.IsWhiteSpace(c))) return true;
        return false;
    }

    /// <summary>Stands for the supplementary letters that deepseek-llm's regex lists literally: a letter no regex names
    /// otherwise (the Lisu letter after the one standing for other supplementary letters).</summary>
    const char SupplementaryLetter = '\uA4D1';

    static readonly (int First, int Last)[] LiteralSupplementaryLetters = SupplementaryRange().Matches(DeepSeekLlmLetters)
        .Select(m => (char.ConvertToUtf32(m.Value, 0), char.ConvertToUtf32(m.Value, 3))).ToArray();

    /// <summary>A BMP stand-in of the same class as a supplementary code point, outside every literal range of the regexes here.</summary>
    static char Representative(int codePoint)
    {
        foreach (var (first, last) in LiteralSupplementaryLetters)
            if (codePoint >= first && codePoint <= last) return SupplementaryLetter;
        return CharUnicodeInfo.GetUnicodeCategory(codePoint) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => '\uA4D0', // Lisu letter: in no CJK range
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => '\u0660',
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => '\u00A1',
            UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                or UnicodeCategory.OtherSymbol => '\u00A6',
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => '\u0300',
            _ => '\uE000',
        };
    }
}
