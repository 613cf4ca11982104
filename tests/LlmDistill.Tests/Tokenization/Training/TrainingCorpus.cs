using System.Text;
using LlmDistill.Demo.Arithmetic;

namespace LlmDistill.Tests.Tokenization.Training;

/// <summary>Corpora and probe strings shared by the BPE trainer tests; all deterministic.</summary>
internal static class TrainingCorpus
{
    /// <summary>The demo's training text: each problem as question, newline, gold answer.</summary>
    public static List<string> DemoTask(int count = 2000, ArithmeticTaskOptions? options = null, int seed = 1) =>
        new ArithmeticTask(options).Generate(seed, count).Select(p => p.Question + "\n" + p.GoldAnswer).ToList();

    static readonly string[] Fragments =
    [
        "Ann", " has", " 23", " apples", ".", " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n ", "#### ", "4*7=28", "12+0=12",
        "?!", "...", "—", "'s", "'ll", "don't", "(x)", "[1, 2]", "{\"a\": 1}", "<|endoftext|>", "<|im_start|>", "<|im_end|>",
        "<|", "|>", "ü", "é", "naïve", "e\u0301", "日本語", "中文", "한국어", "Ελληνικά", "кириллица", "العربية", "😀", "👩‍💻", "🇫🇷",
        "𝔘𝔫𝔦", "𐍈", "\u00A0", "\u2003", "\u200B", "1234567", "0007", "3.14159", "1,000,000", "-42", "$5", "50%", "a+b<=c^d~e|f",
        "\u0000", "\u001F", "\u007F", "\uFFFD",
    ];

    /// <summary>Random concatenations of <see cref="Fragments"/>, random numbers and random code points.</summary>
    public static IEnumerable<string> Probes(int count, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            int parts = random.Next(0, 8);
            for (int k = 0; k < parts; k++)
            {
                switch (random.Next(4))
                {
                    case 0:
                    case 1: text.Append(Fragments[random.Next(Fragments.Length)]); break;
                    case 2: text.Append(random.NextInt64(0, 10_000_000_000L >> random.Next(0, 30))); break;
                    default: text.Append(RandomCodePoint(random)); break;
                }
            }
            yield return text.ToString();
        }
    }

    /// <summary>Any Unicode scalar value (no lone surrogates), biased towards ASCII and the BMP.</summary>
    public static string RandomCodePoint(Random random)
    {
        int cp = random.Next(3) switch
        {
            0 => random.Next(0, 0x80),
            1 => random.Next(0x80, 0x10000),
            _ => random.Next(0x10000, 0x110000),
        };
        if (cp is >= 0xD800 and <= 0xDFFF) cp -= 0x800;
        return char.ConvertFromUtf32(cp);
    }
}
