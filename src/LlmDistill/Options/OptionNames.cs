using System.Text;

namespace LlmDistill.Options;

/// <summary>
/// The one naming rule: a property <c>MaxTokens</c> is the option <c>max-tokens</c>, the flag <c>--max-tokens</c> and
/// the YAML key <c>max_tokens</c>; enum members are written the same way (<c>EveryOther</c> → <c>every-other</c>).
/// </summary>
public static class OptionNames
{
    public static string Kebab(string pascal)
    {
        var text = new StringBuilder(pascal.Length + 4);
        for (int i = 0; i < pascal.Length; i++)
        {
            char c = pascal[i];
            if (char.IsUpper(c) && i > 0 && char.IsLower(pascal[i - 1])) text.Append('-');
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }

    public static string Flag(string name) => "--" + name;

    public static string YamlKey(string name) => name.Replace('-', '_');
}
