using System.Text;

namespace LlmDistill.Tests.Fixtures;

/// <summary>
/// Deterministic varied strings for tokenizer comparisons: prose with contractions and capitals, code with indentation
/// and tabs, numbers, whitespace runs (incl. no-break and ideographic spaces, CR LF), CJK, Japanese, Korean, emoji
/// (ZWJ sequences, flags, skin tones), accented Latin (precomposed and combining), Cyrillic, Greek, Arabic, Devanagari,
/// supplementary-plane letters, and the given special-token texts, alone and mixed.
/// </summary>
public static class TokenizerTestStrings
{
    static readonly string[] Prose =
    [
        "The quick brown fox jumps over the lazy dog.", "I'm sure they'll say it's fine, but we've seen what'd happen.",
        "SHE'S RIGHT; YOU'RE WRONG", "Don't", "hello", " world", "Hello, World!", "CamelCaseWordsAndHTTPServer", "e.g. i.e. etc.",
        "A man, a plan, a canal: Panama", "¿Qué tal? ¡Muy bien!", "O'Neil's café", "naïve résumé façade coöperate",
        "Straße Übermaß ÄÖÜ äöü", "“quoted” ‘single’ — dash – en … ellipsis", "x^2 + y^2 = z^2", "a|b&c~d", "50% off $19.99 €5 £3 ¥100",
        "#hashtag @mention https://example.com/path?q=1&r=two#frag", "user@example.org", "<html><body>text</body></html>",
    ];

    static readonly string[] Code =
    [
        "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}", "if x:\n        pass\n    else:\n\treturn",
        "const s = `template ${value}`;", "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }", "SELECT * FROM t WHERE id = 42;",
        "    indented line\n        more indented\n", "#include <stdio.h>\nint main(void){printf(\"%d\\n\", 1);}", "x=>x*2", "a->b; c::d; e?.f ?? g",
        "// comment\n/* block */", "\"json\": {\"key\": [1, 2.5, -3e10, null, true]}",
    ];

    static readonly string[] Numbers =
    [
        "0", "7", "42", "123", "1234", "12345", "123456", "1234567", "3.14159", "1,234,567.89", "-0.001", "1e-9", "2024-12-01",
        "12:30:45", "+1 (555) 010-9999", "٣٤٥", "१२३", "①②③", "Ⅻ", "½ ¾", "10²", "0x1F 0b1010",
    ];

    static readonly string[] Spaces = [" ", "  ", "   ", "    ", "\t", "\t\t", "\n", "\n\n", "\r\n", " \n ", "\u00A0", "\u3000", " \t \n", "\n    ", "        "];

    static readonly string[] Scripts =
    [
        "你好，世界！", "我爱自然语言处理。", "中文字符测试", "日本語のテキストです。", "カタカナ ひらがな", "한국어 텍스트입니다", "Привет, мир!", "Съешь же ещё этих мягких булок",
        "Γειά σου Κόσμε", "مرحبا بالعالم", "नमस्ते दुनिया", "ภาษาไทย", "שלום עולם", "Ελληνικά και English mixed", "e\u0301 a\u0308 n\u0303", "Å Ç Ñ Ø ß Þ ð ł",
        "𝐀𝐁𝐂 𝑥𝑦𝑧", "𠀀𠀁 𪚥", "𐐀𐐨 Deseret", "ǅ ǈ ǋ", "ﬁ ﬂ ﬀ", "Ｆｕｌｌｗｉｄｔｈ　ｔｅｘｔ",
    ];

    static readonly string[] Emoji = ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇺🇸🇯🇵", "❤️", "🤖 robots", "✨🎉🔥", "☃", "©®™", "🏳️‍🌈"];

    /// <summary><paramref name="count"/> strings; the first ones are each fragment alone, the rest random mixes.</summary>
    public static IReadOnlyList<string> Create(int count, IReadOnlyList<string> specialTexts, int seed = 14)
    {
        var pools = new[] { Prose, Code, Numbers, Spaces, Scripts, Emoji, specialTexts.ToArray() };
        var singles = pools.SelectMany(p => p).ToList();
        var random = new Random(seed);
        var strings = new List<string>(count);
        strings.AddRange(singles.Take(count));
        var sb = new StringBuilder();
        while (strings.Count < count)
        {
            sb.Clear();
            int parts = random.Next(1, 7);
            for (int i = 0; i < parts; i++)
            {
                var pool = pools[random.Next(pools.Length)];
                if (pool.Length == 0) continue;
                string fragment = pool[random.Next(pool.Length)];
                // Sometimes cut a fragment at a random code point boundary, or repeat it.
                if (random.Next(4) == 0 && fragment.Length > 2)
                {
                    int cut = random.Next(1, fragment.Length);
                    if (char.IsLowSurrogate(fragment[cut])) cut--;
                    fragment = fragment[..Math.Max(cut, 1)];
                    if (fragment.Length > 0 && char.IsHighSurrogate(fragment[^1])) fragment = fragment[..^1];
                }
                if (random.Next(8) == 0) fragment = string.Concat(Enumerable.Repeat(fragment, random.Next(2, 5)));
                sb.Append(fragment);
                if (random.Next(3) == 0) sb.Append(Spaces[random.Next(Spaces.Length)]);
            }
            strings.Add(sb.ToString());
        }
        return strings;
    }
}
